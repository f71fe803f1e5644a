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

extension Decodable {
    /// A value from JSON the database built (`chat.message_json`, `chat.quote_of`): a
    /// mismatch means the schema and Models disagree.
    init(databaseJSON json: String) throws {
        do {
            self = try JSONDecoder().decode(Self.self, from: Data(json.utf8))
        } catch {
            throw PostgresError(.decoding, "database JSON does not decode as \(Self.self): \(error)")
        }
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
