import Foundation
import HTTP
import Models
import Postgres

/// Typing notices and the readers of a message (docs/api.md, "Attention").
struct AttentionStore: Sendable {
    let database: Database

    /// The channel typing notices travel on: the gateway LISTENs to it beside `chat_events`.
    /// A NOTIFY outside any table, so typing writes nothing and is never replayed.
    static let typingChannel = "chat_typing"

    /// Checks that `viewer` may send in `id` (404 when they cannot see it, 403 `send_forbidden`
    /// when they may not send) and, when `send` says so, notifies the gateways with the
    /// `typing` event's data, `{"conversation_id", "user": {"id", "name"}}`.
    func typing(in id: UUID, viewer: Viewer, send: @escaping @Sendable () -> Bool) async throws {
        try await database.run { connection in
            let access = try ConversationAccess.require(id, viewer: viewer, on: connection)
            guard access.canSend(viewer) else { throw APIError.sendForbidden() }
            guard send() else { return }
            _ = try connection.query("""
                SELECT pg_notify(\(Self.typingChannel), jsonb_build_object(
                           'conversation_id', \(id)::uuid::text, 'user', chat.user_ref_json(\(viewer.id)::text))::text)
                """)
        }
    }

    /// The participants other than the sender whose marker reached message `messageID`, first
    /// readers first, at most `limit`, and how many they are in all.
    func readers(of messageID: Int64, in id: UUID, viewer: Viewer, limit: Int = 100) async throws -> ReadersBody {
        try await database.run { connection in
            _ = try ConversationAccess.require(id, viewer: viewer, on: connection)
            guard let message = try connection.query("""
                SELECT seq, sender_id FROM chat.messages WHERE id = \(messageID) AND conversation_id = \(id)
                """).first else { throw APIError.messageNotFound }
            let seq: Int64 = try message.decode("seq")
            let sender: String? = try message.decode("sender_id")
            let rows = try connection.query("""
                SELECT \(unsafeSQL: Columns.user), chat.rfc3339(r.updated_at) AS read_at, count(*) OVER () AS total
                  FROM chat.conversation_members cm
                  JOIN chat.read_markers r ON r.conversation_id = cm.conversation_id AND r.user_id = cm.user_id
                  JOIN chat.users u ON u.id = cm.user_id
                 WHERE cm.conversation_id = \(id) AND r.last_read_seq >= \(seq) AND cm.user_id IS DISTINCT FROM \(sender)::text
                 ORDER BY r.updated_at, u.id
                 LIMIT \(limit)
                """)
            let items = try rows.map { ReaderItem(user: try User(row: $0), readAt: try $0.decode("read_at")) }
            return ReadersBody(items: items, count: try rows.first?.decode("total", as: Int.self) ?? 0)
        }
    }
}

extension ConversationAccess {
    /// docs/api.md: admins may send anywhere they can see; members unless the chat is `admins_only`
    /// (the rule of `ConversationSnapshot.canSend`).
    func canSend(_ viewer: Viewer) -> Bool {
        viewer.isAdmin || kind == .direct || sendPolicy == .allMembers
    }
}

/// `GET .../messages/{message_id}/readers`: `{"items": [{"user", "read_at"}], "count"}`.
struct ReadersBody: Encodable, Sendable {
    var items: [ReaderItem]
    var count: Int
}

/// One reader: the user and when their marker last moved (at or after reading the message).
struct ReaderItem: Encodable, Sendable {
    var user: User
    var readAt: String

    enum CodingKeys: String, CodingKey { case user, readAt = "read_at" }
}
