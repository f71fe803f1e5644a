import Foundation
import HTTP
import Models
import Postgres

/// The access rule of API.md, in SQL, and what a check learns about a conversation the viewer
/// may see. Always asked of the database (never cached), so a user added to or removed from a
/// circle gains or loses its chat with the next request.
///
/// Who sees what: a direct chat, its two participants; a circle chat, the circle's current
/// members and every admin.
struct ConversationAccess: Sendable {
    var kind: ConversationKind
    var circleID: String?
    var directUsers: [String]
    var sendPolicy: SendPolicy
    var lastSeq: Int64

    /// `c` is visible to the viewer whose id is `$1` and whose admin flag is `$2` (boolean).
    static let visibleToViewer = """
        (CASE c.kind WHEN 'direct' THEN $1::text IN (c.direct_user_low, c.direct_user_high)
              ELSE $2::boolean OR EXISTS (SELECT 1 FROM chat.circle_members cm
                                           WHERE cm.circle_id = c.circle_id AND cm.user_id = $1::text) END)
        """

    /// The ids of every conversation visible to the viewer `$1` / `$2` (a set for `IN`/joins),
    /// found through the indexes: direct participants, the viewer's circles, or all circle
    /// chats for an admin.
    static let visibleIDs = """
        SELECT dp.conversation_id AS id FROM chat.direct_participants dp WHERE dp.user_id = $1::text
        UNION ALL
        SELECT v.id FROM chat.conversations v JOIN chat.circle_members cm ON cm.circle_id = v.circle_id
         WHERE cm.user_id = $1::text AND NOT $2::boolean
        UNION ALL
        SELECT v.id FROM chat.conversations v WHERE v.kind = 'circle' AND $2::boolean
        """

    /// The conversation if `viewer` may see it, else nil (the caller answers 404 either way,
    /// so a conversation's existence is never revealed).
    static func check(_ id: UUID, viewer: Viewer, on connection: PostgresConnection) throws -> ConversationAccess? {
        let rows = try connection.query(SQLQuery("""
            SELECT c.kind, c.circle_id, c.direct_user_low, c.direct_user_high, c.send_policy, c.last_seq
              FROM chat.conversations c
             WHERE c.id = $3 AND \(visibleToViewer)
            """, [viewer.id, viewer.role == .admin, id]))
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
