import Foundation
import HTTP
import Models
import Postgres

/// Read markers and unread counts. A marker only moves forward; when it moves, a `read.updated`
/// event goes into `chat.events` in the same statement, so all of the reader's open pages
/// update their badges.
struct ReadStateStore: Sendable {
    let database: Database

    /// Moves the viewer's marker in `id` to `seq` unless it is already further. 422 when `seq`
    /// is beyond the conversation's last message (nothing there could have been read).
    func markRead(_ id: UUID, upTo seq: Int64, viewer: Viewer) async throws -> ReadState {
        try await database.run { connection in
            let access = try ConversationAccess.require(id, viewer: viewer, on: connection)
            guard seq <= access.lastSeq else {
                throw APIError.invalid("seq", "seq \(seq) is beyond the last message of this conversation (\(access.lastSeq))")
            }
            let row = try connection.query("""
                WITH moved AS (
                    INSERT INTO chat.read_markers AS r (conversation_id, user_id, last_read_seq)
                    VALUES (\(id), \(viewer.id), \(seq))
                    ON CONFLICT (conversation_id, user_id) DO UPDATE
                       SET last_read_seq = EXCLUDED.last_read_seq, updated_at = now()
                     WHERE r.last_read_seq < EXCLUDED.last_read_seq
                    RETURNING r.last_read_seq
                ), marker AS (
                    SELECT coalesce((SELECT last_read_seq FROM moved),
                                    (SELECT last_read_seq FROM chat.read_markers
                                      WHERE conversation_id = \(id) AND user_id = \(viewer.id)), 0) AS seq
                ), unread AS (
                    SELECT chat.unread_count(c.id, c.last_seq, marker.seq) AS n FROM chat.conversations c, marker WHERE c.id = \(id)
                ), event AS (
                    INSERT INTO chat.events (type, conversation_id, user_id, payload)
                    SELECT 'read.updated', \(id), \(viewer.id),
                           jsonb_build_object('conversation_id', \(id)::text, 'last_read_seq', marker.seq, 'unread_count', unread.n)
                      FROM marker, unread
                     WHERE EXISTS (SELECT 1 FROM moved)
                )
                SELECT marker.seq AS last_read_seq, unread.n AS unread_count FROM marker, unread
                """).first
            guard let row else { throw PostgresError(.server, "the read marker statement returned no row") }
            return ReadState(conversationID: id.uuidString.lowercased(), lastReadSeq: try row.decode("last_read_seq"),
                             unreadCount: try row.decode("unread_count"))
        }
    }

    private static let totals = """
        SELECT c.kind, sum(\(UnreadCount.expression))::bigint AS n
          FROM \(ConversationAccess.visibleToViewer)
          LEFT JOIN chat.read_markers r ON r.conversation_id = c.id AND r.user_id = $1::text
         GROUP BY c.kind
        """

    /// Unread messages (sent by others, after the viewer's markers) in every conversation the
    /// viewer can see, by kind: the nav badges.
    func unreadTotals(for viewer: Viewer) async throws -> UnreadTotals {
        try await database.run { connection in
            let rows = try connection.query(SQLQuery(unsafeSQL: Self.totals, binds: [viewer.id, viewer.isAdmin]))
            var totals = UnreadTotals(direct: 0, circle: 0)
            for row in rows {
                let count: Int = try row.decode("n")
                switch try row.decode("kind", as: String.self) {
                case ConversationKind.direct.rawValue: totals.direct = count
                default: totals.circle = count
                }
            }
            return totals
        }
    }
}

/// `GET /v1/unread`: `{"direct", "circle", "total"}`.
struct UnreadTotals: Encodable, Sendable, Equatable {
    var direct: Int
    var circle: Int
    var total: Int { direct + circle }

    enum CodingKeys: String, CodingKey { case direct, circle, total }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(direct, forKey: .direct)
        try container.encode(circle, forKey: .circle)
        try container.encode(total, forKey: .total)
    }
}
