/// Ids of users and circles come from the platform that owns them (docs/api.md: 1-64 characters of
/// `A-Z a-z 0-9 . _ : @ -`). The same rule is a CHECK in the schema.
public enum ExternalID {
    public static let maxLength = 64

    public static func isValid(_ id: String) -> Bool {
        let bytes = id.utf8
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        return bytes.allSatisfy(isAllowed)
    }

    @inlinable
    static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}

/// A user's role: backoffice staff (`admin`) or everyone else (`member`).
public enum Role: String, Codable, Sendable, CaseIterable {
    case admin
    case member
}

/// Who may send in a circle chat. Direct chats are always `allMembers`.
public enum SendPolicy: String, Codable, Sendable, CaseIterable {
    case allMembers = "all_members"
    case adminsOnly = "admins_only"
}

public enum ConversationKind: String, Codable, Sendable, CaseIterable {
    case direct
    case circle
}
