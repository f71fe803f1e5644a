import Foundation
import HTTP
import Models

/// The rules for the text fields of request bodies, each failing with 422 `invalid` naming the
/// field. They mirror the schema's CHECK constraints (so the database never has to refuse what
/// the API accepted) and add what a browser needs to be safe: no control characters in names,
/// and links only to `http(s)` or site-relative addresses (a `javascript:` URL in a circle's
/// "View Circle" link would run code in the backoffice).
enum FieldRules {
    static let maxNameLength = 200
    static let maxEmailLength = 320
    static let maxURLLength = 2048
    static let maxClientIDLength = 64

    /// A user or circle id (docs/api.md: 1-64 of `A-Z a-z 0-9 . _ : @ -`).
    static func externalID(_ value: String, field: String) throws(APIError) -> String {
        guard ExternalID.isValid(value) else {
            throw APIError.invalid(field, "\(field) must be 1 to 64 characters of A-Z a-z 0-9 . _ : @ -")
        }
        return value
    }

    /// A display name or title: 1-200 characters, not only white space, no control characters.
    static func name(_ value: String, field: String) throws(APIError) -> String {
        let count = value.unicodeScalars.count
        guard count >= 1, count <= maxNameLength else {
            throw APIError.invalid(field, "\(field) must be 1 to \(maxNameLength) characters (it has \(count))")
        }
        guard !isBlank(value) else { throw APIError.invalid(field, "\(field) must not be only white space") }
        try noControlCharacters(value, field: field)
        return value
    }

    /// An email address: 1-320 characters with an `@`, no white space or control characters.
    static func email(_ value: String, field: String = "email") throws(APIError) -> String {
        let count = value.unicodeScalars.count
        guard count >= 1, count <= maxEmailLength else {
            throw APIError.invalid(field, "\(field) must be 1 to \(maxEmailLength) characters (it has \(count))")
        }
        guard value.unicodeScalars.contains("@"), !value.unicodeScalars.contains(where: { $0.properties.isWhitespace || isControl($0) }) else {
            throw APIError.invalid(field, "\(field) must be an email address")
        }
        return value
    }

    /// An optional link: nil stays nil; otherwise `http://`, `https://` (any case) or a path
    /// starting with one `/`, at most 2,048 characters, no white space or control characters.
    /// The prefixes are compared byte by byte: String's own `hasPrefix` compares characters, and
    /// a combining mark or emoji modifier after the `/` makes `/` part of another character.
    static func url(_ value: String?, field: String) throws(APIError) -> String? {
        guard let value else { return nil }
        let bytes = Array(value.utf8)
        let isPath = bytes.first == UInt8(ascii: "/") && bytes.dropFirst().first != UInt8(ascii: "/")
        guard hasASCIIPrefix(bytes, "https://") || hasASCIIPrefix(bytes, "http://") || isPath else {
            throw APIError.invalid(field, "\(field) must be an http(s) URL or a path starting with /")
        }
        guard value.unicodeScalars.count <= maxURLLength else {
            throw APIError.invalid(field, "\(field) must be at most \(maxURLLength) characters")
        }
        guard !value.unicodeScalars.contains(where: { $0.properties.isWhitespace || isControl($0) }) else {
            throw APIError.invalid(field, "\(field) must not contain white space or control characters")
        }
        return value
    }

    /// A chat title: nil, empty or blank means "no custom title" (the circle's name is used);
    /// otherwise a name, trimmed of surrounding white space.
    static func optionalTitle(_ value: String?, field: String = "title") throws(APIError) -> String? {
        guard let value, !isBlank(value) else { return nil }
        return try name(value.trimmingWhiteSpace(), field: field)
    }

    /// `client_id`: 1-64 printable ASCII characters (a UUID fits), so it can be logged and
    /// compared without surprises.
    static func clientID(_ value: String?) throws(APIError) -> String? {
        guard let value else { return nil }
        let bytes = value.utf8
        guard bytes.count >= 1, bytes.count <= maxClientIDLength, bytes.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }) else {
            throw APIError.invalid("client_id", "client_id must be 1 to \(maxClientIDLength) printable ASCII characters")
        }
        return value
    }

    /// `mentions` on send: at most 50 user ids, repeats kept once in their first place (who
    /// may be mentioned is checked under the conversation's lock, `BatchWriter+Mentions`).
    static func mentions(_ value: [String]?) throws(APIError) -> [String] {
        guard let value else { return [] }
        guard value.count <= maxMentions else { throw APIError.invalid("mentions", "at most \(maxMentions) users can be mentioned") }
        var seen = Set<String>()
        var ids: [String] = []
        for id in value where seen.insert(id).inserted {
            guard ExternalID.isValid(id) else { throw APIError.invalid("mentions", "mentions must be user ids") }
            ids.append(id)
        }
        return ids
    }

    static let maxMentions = 50

    /// A message body (docs/api.md's rules, `MessageBody.problem`).
    static func messageBody(_ value: String) throws(APIError) -> String {
        if let problem = MessageBody.problem(with: value) {
            throw APIError.invalid("body", problem.description)
        }
        return value
    }

    /// `attachments`: absent, or 1 to 10 distinct upload ids (whether they are the sender's own
    /// unattached uploads is checked when the message is stored).
    static func attachments(_ value: [String]?) throws(APIError) -> [UUID] {
        guard let value else { return [] }
        guard (1...10).contains(value.count) else { throw APIError.invalid("attachments", "attachments must list 1 to 10 upload ids") }
        var ids: [UUID] = []
        for text in value {
            guard let id = UUID(uuidString: text), !ids.contains(id) else {
                throw APIError.invalid("attachments", "attachments must be distinct upload ids")
            }
            ids.append(id)
        }
        return ids
    }

    /// A reaction (API.md, "Precisions"): 1 to 8 Unicode scalar values that are all emoji, ZWJ,
    /// variation selectors or skin-tone modifiers, at least one of them an emoji (ASCII digits,
    /// `#` and `*` are "emoji" to Unicode but not alone here); or a shortcode `:name:` of 1-32
    /// `a-z 0-9 _ + -`.
    static func emoji(_ value: String) throws(APIError) -> String {
        guard isEmojiSequence(value) || isShortcode(value) else {
            throw APIError.invalid("emoji", "emoji must be 1 to 8 emoji characters or a shortcode like :thumbsup:")
        }
        return value
    }

    private static func isEmojiSequence(_ value: String) -> Bool {
        let scalars = value.unicodeScalars
        guard (1...8).contains(scalars.count) else { return false }
        var sawEmoji = false
        for scalar in scalars {
            switch scalar.value {
            case 0x200D, 0xFE0E, 0xFE0F, 0x1F3FB...0x1F3FF: continue
            default:
                guard scalar.properties.isEmoji else { return false }
                if scalar.isASCII { continue }
                sawEmoji = true
            }
        }
        return sawEmoji
    }

    private static func isShortcode(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard bytes.count >= 3, bytes.count <= 34, bytes.first == UInt8(ascii: ":"), bytes.last == UInt8(ascii: ":") else {
            return false
        }
        return bytes.dropFirst().dropLast().allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "-"): true
            default: false
            }
        }
    }

    /// `all_members` or `admins_only`.
    static func sendPolicy(_ value: String, field: String = "send_policy") throws(APIError) -> SendPolicy {
        guard let policy = SendPolicy(rawValue: value) else {
            throw APIError.invalid(field, "\(field) must be all_members or admins_only")
        }
        return policy
    }

    /// `admin` or `member`.
    static func role(_ value: String) throws(APIError) -> Role {
        guard let role = Role(rawValue: value) else { throw APIError.invalid("role", "role must be admin or member") }
        return role
    }

    /// Whether `bytes` start with `prefix` (lowercase ASCII), ignoring ASCII case.
    static func hasASCIIPrefix(_ bytes: [UInt8], _ prefix: String) -> Bool {
        guard bytes.count >= prefix.utf8.count else { return false }
        return zip(bytes, prefix.utf8).allSatisfy { byte, lower in
            (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte) == lower
        }
    }

    static func noControlCharacters(_ value: String, field: String) throws(APIError) {
        if value.unicodeScalars.contains(where: isControl) {
            throw APIError.invalid(field, "\(field) must not contain control characters")
        }
    }

    /// Unicode general category Cc.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Empty or only white space (the schema's `chat.is_blank`).
    static func isBlank(_ value: String) -> Bool {
        value.unicodeScalars.allSatisfy(\.properties.isWhitespace)
    }
}

extension String {
    /// Without leading and trailing Unicode white space.
    func trimmingWhiteSpace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
