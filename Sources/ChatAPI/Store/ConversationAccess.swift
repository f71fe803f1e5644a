import Foundation
import HTTP
import Models
import Postgres

/// What a check learns about a conversation the viewer may see. The rule itself is the
/// schema's `chat.visible_conversations` (docs/schema.md, "Who sees what");
/// always asked of the database (never cached), so a user added to or removed from a circle
/// gains or loses its chat with the next request.
struct ConversationAccess: Sendable {
    var kind: ConversationKind
    var circleID: String?
    var directUsers: [String]
    var sendPolicy: SendPolicy
    var lastSeq: Int64

    /// `FROM` item for the conversations `c` visible to the viewer whose id is `$1` and whose
    /// admin flag is `$2`, for statements kept as text with numbered parameters.
    static let visibleToViewer = "chat.visible_conversations($1::text, $2::boolean) c"

    /// The conversation if `viewer` may see it, else nil (the caller answers 404 either way,
    /// so a conversation's existence is never revealed).
    static func check(_ id: UUID, viewer: Viewer, on connection: PostgresConnection) throws -> ConversationAccess? {
        let rows = try connection.query("""
            SELECT c.kind, c.circle_id, c.direct_user_low, c.direct_user_high, c.send_policy, c.last_seq
              FROM chat.visible_conversations(\(viewer.id), \(viewer.isAdmin)) c
             WHERE c.id = \(id)
            """)
        guard let row = rows.first else { return nil }
        guard let kind = ConversationKind(rawValue: try row.decode("kind")),
              let policy = SendPolicy(rawValue: try row.decode("send_policy"))
        else { throw PostgresError(.decoding, "unknown conversation kind or send policy") }
        let pair = [try row.decode("direct_user_low", as: String?.self), try row.decode("direct_user_high", as: String?.self)]
        return ConversationAccess(
            kind: kind, circleID: try row.decode("circle_id"), directUsers: pair.compactMap { $0 },
            sendPolicy: policy, lastSeq: try row.decode("last_seq"))
    }

    /// As `check`, but a conversation the viewer may not see is a 404.
    static func require(_ id: UUID, viewer: Viewer, on connection: PostgresConnection) throws -> ConversationAccess {
        guard let access = try check(id, viewer: viewer, on: connection) else { throw APIError.conversationNotFound }
        return access
    }
}

extension APIError {
    /// The one answer for a conversation that does not exist or that the caller may not see.
    static let conversationNotFound = APIError.notFound("conversation not found")
}

/// Conversation ids in paths are UUIDs; anything else cannot exist (404, like an unknown id).
enum ConversationID {
    static func parse(_ text: String?) throws(APIError) -> UUID {
        guard let text, let id = UUID(uuidString: text) else { throw APIError.conversationNotFound }
        return id
    }
}
