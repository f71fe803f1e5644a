import Foundation

/// bytea's hex format (PostgreSQL manual 8.4.1): `\x` then two hex digits per byte.
enum PostgresHex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Writes straight into the string's storage: attachments pass megabytes through here.
    static func encode(_ data: Data) -> String {
        String(unsafeUninitializedCapacity: 2 + data.count * 2) { out in
            out[0] = UInt8(ascii: "\\")
            out[1] = UInt8(ascii: "x")
            data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
                digits.withUnsafeBufferPointer { digits in
                    var index = 2
                    for byte in input {
                        out[index] = digits[Int(byte >> 4)]
                        out[index + 1] = digits[Int(byte & 0x0F)]
                        index += 2
                    }
                }
            }
            return 2 + data.count * 2
        }
    }

    /// nil unless `text` is `\x` followed by an even number of hex digits.
    static func decode(_ text: String) -> Data? {
        var text = text
        return text.withUTF8 { bytes -> Data? in
            guard bytes.count >= 2, bytes[0] == UInt8(ascii: "\\"), bytes[1] == UInt8(ascii: "x"), bytes.count % 2 == 0
            else { return nil }
            var decoded = [UInt8](repeating: 0, count: (bytes.count - 2) / 2)
            let valid = decoded.withUnsafeMutableBufferPointer { out -> Bool in
                var index = 2
                while index < bytes.count {
                    guard let high = value(of: bytes[index]), let low = value(of: bytes[index + 1]) else { return false }
                    out[(index - 2) / 2] = high << 4 | low
                    index += 2
                }
                return true
            }
            return valid ? Data(decoded) : nil
        }
    }

    private static func value(of digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
