import Foundation
import Models
import Postgres

/// How a conversation is selected and decoded as one viewer sees it: the database's
/// viewer-neutral JSON (`chat.conversation_json`) plus the viewer's read state, rendered by
/// `ConversationSnapshot.render(for:state:)`, the same code the gateway uses for its events.
enum ConversationRows {
    /// Select list for a conversation `c` seen by the viewer `$1`, with `r` its read marker
    /// (join `markerJoin`). Unread messages are counted only when the counter says there can be
    /// some, so read conversations cost no scan.
    static let viewColumns = """
        chat.conversation_json(c.id)::text AS json,
        coalesce(r.last_read_seq, 0) AS last_read_seq,
        CASE WHEN c.last_seq > coalesce(r.last_read_seq, 0) THEN (
            SELECT count(*) FROM chat.messages m
             WHERE m.conversation_id = c.id AND m.seq > coalesce(r.last_read_seq, 0) AND m.sender_id <> $1::text)
        ELSE 0 END AS unread_count
        """

    static let markerJoin = "LEFT JOIN chat.read_markers r ON r.conversation_id = c.id AND r.user_id = $1::text"

    private static let decoder = JSONDecoder()

    static func view(_ row: PostgresRow, for viewer: Viewer) throws -> ConversationView {
        let json: String = try row.decode("json")
        let snapshot = try decoder.decode(ConversationSnapshot.self, from: Data(json.utf8))
        let state = ViewerState(unreadCount: try row.decode("unread_count"), lastReadSeq: try row.decode("last_read_seq"))
        return snapshot.render(for: viewer, state: state)
    }

    /// The conversation `id` as `viewer` sees it, or nil when they may not see it.
    static func view(_ id: UUID, for viewer: Viewer, on connection: PostgresConnection) throws -> ConversationView? {
        try connection.query(SQLQuery("""
            SELECT \(viewColumns)
              FROM chat.conversations c \(markerJoin)
             WHERE c.id = $3 AND \(ConversationAccess.visibleToViewer)
            """, [viewer.id, viewer.role == .admin, id])).first.map { try view($0, for: viewer) }
    }
}
