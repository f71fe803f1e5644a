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
        /// Rendered by the database; decoded only where attachments need their links.
        var items: [MessageItem]
        /// More messages lie beyond the page in the direction it was read (older for
        /// `newest`/`before`, newer for `after`).
        var hasMore: Bool
    }

    /// The access check and the page in one statement (one plan, one round trip): a first
    /// column says whether the viewer (`$1`, admin flag `$2`) may see conversation `$3`, and
    /// only then are its messages read, `$5` of them below seq `$4` (newest first) or above it,
    /// each as `chat.message_json_of` (reactions with the viewer's `me`, the quoted message),
    /// which the planner inlines: one plan with joins for the page.
    private static func query(ascending: Bool) -> String {
        """
        SELECT v.visible, page.message, page.has_attachments
          FROM (SELECT EXISTS (SELECT 1 FROM \(ConversationAccess.visibleToViewer) WHERE c.id = $3) AS visible) AS v
          LEFT JOIN LATERAL (
                SELECT j.message::text AS message, j.message->'attachments' <> '[]' AS has_attachments
                  FROM (SELECT m.id, m.seq FROM chat.messages m
                         WHERE v.visible AND m.conversation_id = $3 AND m.seq \(ascending ? ">" : "<") $4
                         ORDER BY m.seq \(ascending ? "ASC" : "DESC")
                         LIMIT $5) AS m
                 CROSS JOIN LATERAL chat.message_json_of(m.id, $1::text) AS j
                 ORDER BY m.seq \(ascending ? "ASC" : "DESC")) AS page ON true
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
            let messages = rows.filter { $0["message"] != nil }
            var items = try messages.prefix(limit).map { row -> MessageItem in
                let json: String = try row.decode("message")
                return try row.decode("has_attachments", as: Bool.self) ? .decoded(try Message(databaseJSON: json)) : .rendered(Array(json.utf8))
            }
            if case .after = window {} else { items.reverse() }
            return Page(items: items, hasMore: messages.count > limit)
        }
    }
}
