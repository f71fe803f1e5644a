/// A `Decoder` over a parsed `JSONValue`. It exists for its errors: every failure is a
/// `DecodingError` whose coding path names the member at fault, including numbers that do not
/// fit the type asked for (`1.5` or `1e30` for an `Int`), which Foundation's `JSONDecoder`
/// reports as corrupt data with no path at all.
///
/// Integers accept any JSON number with an exact whole value in range (`100`, `1e2`, `100.0`);
/// floating-point types accept any finite number. `Decimal`, `Date` and `Data` get no special
/// treatment (they decode as their own `Decodable` conformances say); the API's bodies use
/// none of them.
struct JSONValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// Why an array ran out before its `Decodable` was done (a required element is missing).
    static let noMoreElements = "no more elements"

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object = value else { throw value.mismatch([String: Any].self, at: codingPath) }
        return KeyedDecodingContainer(KeyedContainer<Key>(object: value, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw value.mismatch([Any].self, at: codingPath) }
        return UnkeyedContainer(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueContainer(value: value, codingPath: codingPath)
    }
}

/// The key of an array element in a coding path; `JSONBody.path` prints it as `[n]`.
struct JSONIndexKey: CodingKey {
    let intValue: Int?
    let stringValue: String
    init(_ index: Int) {
        intValue = index
        stringValue = "Index \(index)"
    }
    init?(intValue: Int) { self.init(intValue) }
    init?(stringValue: String) { nil }
}

extension JSONValue {
    /// `null` where a value was required is `valueNotFound`; any other wrong kind is a
    /// `typeMismatch`.
    func mismatch(_ type: Any.Type, at path: [any CodingKey]) -> DecodingError {
        if case .null = self {
            return .valueNotFound(type, .init(codingPath: path, debugDescription: "found null"))
        }
        return .typeMismatch(type, .init(codingPath: path, debugDescription: "found \(kindDescription)"))
    }

    /// Every container's `decode` ends here: JSON primitives directly, anything else through
    /// its own `init(from:)`.
    func decode<T: Decodable>(_ type: T.Type, at path: [any CodingKey]) throws -> T {
        switch type {
        case is Bool.Type:
            guard case .bool(let value) = self else { throw mismatch(type, at: path) }
            return value as! T
        case is String.Type:
            guard case .string(let value) = self else { throw mismatch(type, at: path) }
            return value as! T
        case let integer as any (FixedWidthInteger & Decodable).Type:
            return try decodeInteger(integer, at: path) as! T
        case let floating as any (BinaryFloatingPoint & Decodable).Type:
            return try decodeFloatingPoint(floating, at: path) as! T
        default:
            return try T(from: JSONValueDecoder(value: self, codingPath: path))
        }
    }

    private func decodeInteger<I: FixedWidthInteger>(_ type: I.Type, at path: [any CodingKey]) throws -> I {
        guard case .number(let text) = self else { throw mismatch(type, at: path) }
        if let exact = I(text) { return exact }
        // `1e2`, `100.0`: whole values written otherwise, exact only below 2^53.
        if let double = Double(text), double.rounded() == double, double.magnitude < 0x1p53, let exact = I(exactly: double) {
            return exact
        }
        throw DecodingError.typeMismatch(type, .init(codingPath: path, debugDescription: "\(text) is not a whole number in the range of \(type)"))
    }

    private func decodeFloatingPoint<F: BinaryFloatingPoint>(_ type: F.Type, at path: [any CodingKey]) throws -> F {
        guard case .number(let text) = self else { throw mismatch(type, at: path) }
        guard let double = Double(text), double.isFinite, F(double).isFinite else {
            throw DecodingError.typeMismatch(type, .init(codingPath: path, debugDescription: "\(text) is out of range"))
        }
        return F(double)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    /// An `.object`.
    let object: JSONValue
    let codingPath: [any CodingKey]

    var allKeys: [Key] {
        guard case .object(let members) = object else { return [] }
        return members.compactMap { Key(stringValue: $0.name) }
    }

    func contains(_ key: Key) -> Bool { object.member(key.stringValue) != nil }

    private func value(_ key: Key) throws -> JSONValue {
        guard let value = object.member(key.stringValue) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try value(key) { true } else { false }
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try value(key).decode(type, at: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try JSONValueDecoder(value: value(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try JSONValueDecoder(value: value(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        JSONValueDecoder(value: object.member("super") ?? .null, codingPath: codingPath)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        JSONValueDecoder(value: object.member(key.stringValue) ?? .null, codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(elements: [JSONValue], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }
    private var elementPath: [any CodingKey] { codingPath + [JSONIndexKey(currentIndex)] }

    /// The next element, without moving past it.
    private func next(_ type: Any.Type) throws -> JSONValue {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: elementPath, debugDescription: JSONValueDecoder.noMoreElements))
        }
        return elements[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        guard case .null = try next(Never.self) else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let decoded = try next(type).decode(type, at: elementPath)
        currentIndex += 1
        return decoded
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let container = try JSONValueDecoder(value: next([String: Any].self), codingPath: elementPath).container(keyedBy: type)
        currentIndex += 1
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let container = try JSONValueDecoder(value: next([Any].self), codingPath: elementPath).unkeyedContainer()
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let decoder = JSONValueDecoder(value: try next(Any.self), codingPath: elementPath)
        currentIndex += 1
        return decoder
    }
}

private struct SingleValueContainer: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool {
        if case .null = value { true } else { false }
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try value.decode(type, at: codingPath)
    }
}
