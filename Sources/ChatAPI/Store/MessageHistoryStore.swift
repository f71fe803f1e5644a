import Foundation
import HTTP
import Models
import Postgres

/// Reading a conversation's messages, a page at a time, always in ascending `seq`.
struct MessageHistoryStore: Sendable {
    /// A standby when `DATABASE_READ_URL` is set, except right after the viewer's own write.
    let reads: ReadRouting

    /// Which page: the newest `limit`, the `limit` just before a seq (scrolling back), or the
    /// `limit` just after one (catching up after a gap).
    enum Window: Sendable, Equatable {
        case newest(limit: Int)
        case before(seq: Int64, limit: Int)
        case after(seq: Int64, limit: Int)
    }

    struct Page: Sendable {
        var items: [Message]
        /// More messages lie beyond the page in the direction it was read (older for
        /// `newest`/`before`, newer for `after`).
        var hasMore: Bool
    }

    /// The access check and the page in one statement (one plan, one round trip): a first
    /// column says whether the viewer (`$1`, admin flag `$2`) may see conversation `$3`, and
    /// only then are its messages read, `$5` of them below seq `$4` (newest first) or above it.
    private static func query(ascending: Bool) -> String {
        """
        SELECT v.visible, m.id, m.conversation_id::text AS conversation_id, m.seq, m.sender_id, m.sender_name,
               m.sender_avatar_url, m.body, m.client_id, chat.rfc3339(m.created_at) AS created_at
          FROM (SELECT EXISTS (SELECT 1 FROM \(ConversationAccess.visibleToViewer) WHERE c.id = $3) AS visible) AS v
          LEFT JOIN LATERAL (
                SELECT m.*, s.name AS sender_name, s.avatar_url AS sender_avatar_url
                  FROM chat.messages m JOIN chat.users s ON s.id = m.sender_id
                 WHERE v.visible AND m.conversation_id = $3 AND m.seq \(ascending ? ">" : "<") $4
                 ORDER BY m.seq \(ascending ? "ASC" : "DESC")
                 LIMIT $5) AS m ON true
        """
    }

    private static let descending = query(ascending: false)
    private static let ascending = query(ascending: true)

    func page(of id: UUID, for viewer: Viewer, window: Window) async throws -> Page {
        let (sql, bound, limit): (String, Int64, Int) = switch window {
        case .newest(let limit): (Self.descending, Int64.max, limit)
        case .before(let seq, let limit): (Self.descending, seq, limit)
        case .after(let seq, let limit): (Self.ascending, seq, limit)
        }
        return try await reads.run(forReadsBy: viewer.id) { connection in
            let rows = try connection.query(SQLQuery(unsafeSQL: sql, binds: [viewer.id, viewer.isAdmin, id, bound, limit + 1]))
            guard try rows.first?.decode("visible", as: Bool.self) == true else { throw APIError.conversationNotFound }
            let messages = rows.filter { $0["id"] != nil }
            var items = try messages.prefix(limit).map(Message.init(row:))
            if case .after = window {} else { items.reverse() }
            return Page(items: items, hasMore: messages.count > limit)
        }
    }
}
