import Foundation
import Models
import Postgres

/// The column list and row decoders of the API's objects, so every query that returns a user,
/// a circle or a message selects and reads it the same way.
enum Columns {
    /// `chat.users` as the API's User (alias `u`).
    static let user = "u.id, u.name, u.email, u.avatar_url, u.role, u.active"
}

extension User {
    init(row: PostgresRow) throws {
        self.init(
            id: try row.decode("id"), name: try row.decode("name"), email: try row.decode("email"),
            avatarURL: try row.decode("avatar_url"), role: try Role(databaseText: try row.decode("role")),
            active: try row.decode("active"))
    }
}

extension Role {
    /// The `role` column's text; anything else means the schema and the code disagree.
    init(databaseText text: String) throws {
        guard let role = Role(rawValue: text) else {
            throw PostgresError(.decoding, "unknown role \(text)", column: "role")
        }
        self = role
    }
}

extension Message {
    /// Columns `id`, `conversation_id`, `seq`, `sender_id`, `sender_name`, `sender_avatar_url`,
    /// `body`, `client_id`, `created_at` (RFC 3339 text).
    init(row: PostgresRow) throws {
        self.init(
            id: try row.decode("id"), conversationID: try row.decode("conversation_id"), seq: try row.decode("seq"),
            sender: Sender(id: try row.decode("sender_id"), name: try row.decode("sender_name"),
                           avatarURL: try row.decode("sender_avatar_url")),
            body: try row.decode("body"), clientID: try row.decode("client_id"), createdAt: try row.decode("created_at"))
    }
}

extension Circle {
    /// Columns `id`, `name`, `url`, `member_count`, `conversation_id`.
    init(row: PostgresRow) throws {
        self.init(
            id: try row.decode("id"), name: try row.decode("name"), url: try row.decode("url"),
            memberCount: try row.decode("member_count"), conversationID: try row.decode("conversation_id"))
    }
}
