/// Builds one log line as bytes: JSON members appended in place, strings escaped byte by byte
/// (RFC 8259 §7), no intermediate `String`s. Keeps a log call to one allocation in the common
/// case.
struct JSONLineWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// `"text"` with `"`, `\` and control characters escaped.
    mutating func string(_ text: String) {
        var text = text
        bytes.append(UInt8(ascii: "\""))
        text.withUTF8 { source in
            var runStart = 0
            for index in source.indices {
                let byte = source[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<index]))
                escape(byte)
                runStart = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func escape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default:
            raw("u00")
            bytes.append(hexDigit(byte >> 4))
            bytes.append(hexDigit(byte & 0xF))
        }
    }

    private func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    mutating func value(_ value: LogValue) {
        switch value {
        case .string(let text): string(text)
        case .int(let number): bytes.append(contentsOf: String(number).utf8)
        case .double(let number) where number.isFinite: bytes.append(contentsOf: String(number).utf8)
        case .double(let number): string(String(number))  // NaN and infinities are not JSON numbers
        case .bool(let flag): flag ? raw("true") : raw("false")
        }
    }

    /// A non-negative `value` in decimal, zero-padded to at least `width` digits.
    mutating func digits(_ value: Int, width: Int) {
        if width > 1 || value >= 10 { digits(value / 10, width: width - 1) }
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    mutating func newline() { bytes.append(0x0A) }
}
