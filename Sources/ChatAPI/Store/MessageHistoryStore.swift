import Foundation
import HTTP
import Models
import Postgres

/// Reading a conversation's messages, a page at a time, always in ascending `seq`.
struct MessageHistoryStore: Sendable {
    let database: Database

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

    private static let select = "SELECT \(Columns.message) FROM chat.messages m JOIN chat.users s ON s.id = m.sender_id WHERE m.conversation_id = $1"
    private static let newest = "\(select) ORDER BY m.seq DESC LIMIT $2"
    private static let before = "\(select) AND m.seq < $2 ORDER BY m.seq DESC LIMIT $3"
    private static let after = "\(select) AND m.seq > $2 ORDER BY m.seq ASC LIMIT $3"

    func page(of id: UUID, for viewer: Viewer, window: Window) async throws -> Page {
        try await database.run { connection in
            _ = try ConversationAccess.require(id, viewer: viewer, on: connection)
            let rows: PostgresRows
            let limit: Int
            switch window {
            case .newest(let count):
                limit = count
                rows = try connection.query(SQLQuery(Self.newest, [id, count + 1]))
            case .before(let seq, let count):
                limit = count
                rows = try connection.query(SQLQuery(Self.before, [id, seq, count + 1]))
            case .after(let seq, let count):
                limit = count
                rows = try connection.query(SQLQuery(Self.after, [id, seq, count + 1]))
            }
            var items = try rows.prefix(limit).map(Message.init(row:))
            if case .after = window {} else { items.reverse() }
            return Page(items: items, hasMore: rows.count > limit)
        }
    }
}
