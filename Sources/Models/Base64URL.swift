import Foundation

/// base64url without padding (RFC 4648, section 5): the text of session tokens and list cursors,
/// which travel unescaped in headers and query parameters.
public enum Base64URL {
    public static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacing("+", with: "-").replacing("/", with: "_").replacing("=", with: "")
    }

    /// The bytes of `text`, or nil when it is not base64url (a character outside the alphabet,
    /// or a length no encoding has).
    public static func decode(_ text: String) -> Data? {
        guard isEncoded(text) else { return nil }
        var base64 = text.replacing("-", with: "+").replacing("_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        return Data(base64Encoded: base64)
    }

    /// Every character of `text` is in the alphabet `A-Z a-z 0-9 - _`.
    public static func isEncoded(_ text: String) -> Bool {
        text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                true
            default:
                false
            }
        }
    }
}
