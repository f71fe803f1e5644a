/// The rules for a message body (docs/api.md): valid UTF-8 (a Swift `String` already is), 1 to
/// 4,000 Unicode scalar values, not only white space, no NUL and no other control character
/// but tab and newline. The schema's CHECK constraints mirror these rules.
public enum MessageBody {
    public static let maxScalars = 4000

    /// Why a body is refused, as the API's 422 message says it.
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case empty
        case tooLong(scalars: Int)
        case onlyWhiteSpace
        case controlCharacter(UInt32)

        public var description: String {
            switch self {
            case .empty: return "body must not be empty"
            case .tooLong(let n): return "body is \(n) characters long; the limit is \(MessageBody.maxScalars)"
            case .onlyWhiteSpace: return "body must not be only white space"
            case .controlCharacter(let v):
                return "body must not contain control characters (found U+\(String(v, radix: 16, uppercase: true).leftPadded(to: 4)))"
            }
        }
    }

    /// Nil when the body is acceptable.
    public static func problem(with body: String) -> Problem? {
        var count = 0
        var sawVisible = false
        for scalar in body.unicodeScalars {
            count += 1
            if isForbiddenControl(scalar) { return .controlCharacter(scalar.value) }
            if !scalar.properties.isWhitespace { sawVisible = true }
        }
        if count == 0 { return .empty }
        if count > maxScalars { return .tooLong(scalars: count) }
        if !sawVisible { return .onlyWhiteSpace }
        return nil
    }

    /// General category Cc (U+0000-U+001F, U+007F-U+009F) except tab and newline.
    @inlinable
    public static func isForbiddenControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v == 0x09 || v == 0x0A { return false }
        return v < 0x20 || (v >= 0x7F && v <= 0x9F)
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
