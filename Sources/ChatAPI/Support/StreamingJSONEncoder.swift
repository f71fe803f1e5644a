/// Encodes `Encodable` values straight into JSON bytes, for the responses a busy list or history
/// page sends (Foundation's `JSONEncoder` builds a tree of boxed values first and costs about a
/// millisecond for a page of 50 messages; this writes each value once, in the order the type's
/// `encode(to:)` writes its members).
///
/// Output is compact JSON (RFC 8259): members in encoding order, `/` not escaped, strings
/// escaped only where JSON requires (`"`, `\`, control characters). A value whose `encode(to:)`
/// writes nothing becomes `{}`, as with `JSONEncoder`. Non-finite doubles are refused.
enum StreamingJSONEncoder {
    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let stream = JSONStream()
        let encoder = StreamEncoder(stream: stream, depth: 0, codingPath: [])
        try value.encode(to: encoder)
        encoder.finish()
        return stream.bytes
    }
}

/// The output and the containers open in it, innermost last.
final class JSONStream {
    var bytes: [UInt8] = []
    /// Per open container: how many elements it holds so far.
    var open: [(isObject: Bool, count: Int)] = []

    init() { bytes.reserveCapacity(4096) }

    /// Closes containers nested deeper than `depth` (a nested container ends when its parent
    /// writes again).
    func close(deeperThan depth: Int) {
        while open.count > depth {
            bytes.append(open.removeLast().isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
        }
    }

    /// Prepares the container at `depth` (1-based) for its next element: a comma, and for an
    /// object the key and a colon.
    func beginElement(inContainerAt depth: Int, key: String?) {
        close(deeperThan: depth)
        if open[depth - 1].count > 0 { bytes.append(UInt8(ascii: ",")) }
        open[depth - 1].count += 1
        if let key {
            writeString(key)
            bytes.append(UInt8(ascii: ":"))
        }
    }

    func open(object: Bool) -> Int {
        bytes.append(object ? UInt8(ascii: "{") : UInt8(ascii: "["))
        open.append((object, 0))
        return open.count
    }

    /// One access to `bytes` per string (not per byte: dynamic exclusivity checks on a class's
    /// stored property cost more than the copying).
    func writeString(_ string: String) { Self.append(string, to: &bytes) }

    private static func append(_ string: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        let utf8 = string.utf8
        if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            bytes.append(contentsOf: utf8)
        } else {
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
                case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                default: bytes.append(byte)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    func writeLiteral(_ text: String) { bytes.append(contentsOf: text.utf8) }

    func writeDouble(_ value: Double, codingPath: [any CodingKey]) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "JSON has no \(value)"))
        }
        writeLiteral(value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value))
    }
}

/// The encoder of one value: it writes at most one JSON value where its parent put it, and
/// closes the containers it opened when `finish()` is called after `encode(to:)` returns.
final class StreamEncoder: Encoder {
    let stream: JSONStream
    /// How many containers were open when this value began.
    let depth: Int
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    /// The container this value opened (its depth), if any.
    private var container: Int?
    private var wroteValue = false

    init(stream: JSONStream, depth: Int, codingPath: [any CodingKey]) {
        self.stream = stream
        self.depth = depth
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(StreamKeyedContainer<Key>(encoder: self, depth: openContainer(object: true)))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        StreamUnkeyedContainer(encoder: self, depth: openContainer(object: false))
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { StreamSingleValueContainer(encoder: self) }

    private func openContainer(object: Bool) -> Int {
        if let container { return container }
        stream.close(deeperThan: depth)
        wroteValue = true
        let opened = stream.open(object: object)
        container = opened
        return opened
    }

    /// Marks the value as written (a single value); false if it already was.
    func claimSingleValue() -> Bool {
        guard !wroteValue else { return false }
        stream.close(deeperThan: depth)
        wroteValue = true
        return true
    }

    /// Writes `json`, a complete JSON value someone else rendered, as this value (verbatim).
    func writeRendered(_ json: [UInt8]) throws {
        guard claimSingleValue() else {
            throw EncodingError.invalidValue(json, .init(codingPath: codingPath, debugDescription: "a value was encoded twice"))
        }
        stream.bytes.append(contentsOf: json)
    }

    /// Closes what this value opened; an empty value becomes `{}`.
    func finish() {
        if !wroteValue { stream.writeLiteral("{}") }
        stream.close(deeperThan: depth)
    }

    /// Writes `value` as a child: primitives directly, anything else through its own encoder.
    func write<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
        switch value {
        case let string as String: stream.writeString(string)
        case let bool as Bool: stream.writeLiteral(bool ? "true" : "false")
        case let int as Int: stream.writeLiteral(String(int))
        case let int as Int64: stream.writeLiteral(String(int))
        case let int as Int32: stream.writeLiteral(String(int))
        case let double as Double: try stream.writeDouble(double, codingPath: codingPath)
        default:
            let child = StreamEncoder(stream: stream, depth: stream.open.count, codingPath: codingPath)
            try value.encode(to: child)
            child.finish()
        }
    }
}

struct StreamKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: StreamEncoder
    let depth: Int
    var codingPath: [any CodingKey] { encoder.codingPath }

    private func begin(_ key: Key) { encoder.stream.beginElement(inContainerAt: depth, key: key.stringValue) }

    mutating func encodeNil(forKey key: Key) throws {
        begin(key)
        encoder.stream.writeLiteral("null")
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        begin(key)
        try encoder.write(value, codingPath: codingPath + [key])
    }

    // The common types directly, without the generic path's dynamic casts.
    mutating func encode(_ value: String, forKey key: Key) throws {
        begin(key)
        encoder.stream.writeString(value)
    }

    mutating func encode(_ value: Bool, forKey key: Key) throws {
        begin(key)
        encoder.stream.writeLiteral(value ? "true" : "false")
    }

    mutating func encode(_ value: Int, forKey key: Key) throws {
        begin(key)
        encoder.stream.writeLiteral(String(value))
    }

    mutating func encode(_ value: Int64, forKey key: Key) throws {
        begin(key)
        encoder.stream.writeLiteral(String(value))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        begin(key)
        return StreamEncoder(stream: encoder.stream, depth: encoder.stream.open.count, codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        begin(key)
        return StreamEncoder(stream: encoder.stream, depth: encoder.stream.open.count, codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        encoder.stream.beginElement(inContainerAt: depth, key: "super")
        return StreamEncoder(stream: encoder.stream, depth: encoder.stream.open.count, codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        begin(key)
        return StreamEncoder(stream: encoder.stream, depth: encoder.stream.open.count, codingPath: codingPath + [key])
    }
}

struct StreamUnkeyedContainer: UnkeyedEncodingContainer {
    let encoder: StreamEncoder
    let depth: Int
    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { encoder.stream.open.count >= depth ? encoder.stream.open[depth - 1].count : 0 }

    private func begin() { encoder.stream.beginElement(inContainerAt: depth, key: nil) }

    mutating func encodeNil() throws {
        begin()
        encoder.stream.writeLiteral("null")
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        begin()
        try encoder.write(value, codingPath: codingPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        begin()
        return StreamEncoder(stream: encoder.stream, depth: encoder.stream.open.count, codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        begin()
        return StreamEncoder(stream: encoder.stream, depth: encoder.stream.open.count, codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        begin()
        return StreamEncoder(stream: encoder.stream, depth: encoder.stream.open.count, codingPath: codingPath)
    }
}

struct StreamSingleValueContainer: SingleValueEncodingContainer {
    let encoder: StreamEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    private func claim() throws {
        guard encoder.claimSingleValue() else {
            throw EncodingError.invalidValue((), .init(codingPath: codingPath, debugDescription: "a single value was encoded twice"))
        }
    }

    mutating func encodeNil() throws {
        try claim()
        encoder.stream.writeLiteral("null")
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try claim()
        try encoder.write(value, codingPath: codingPath)
    }

    mutating func encode(_ value: String) throws {
        try claim()
        encoder.stream.writeString(value)
    }
}
