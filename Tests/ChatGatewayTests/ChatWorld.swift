import ChatStore
import Foundation
import Postgres
import TestSupport

/// A fresh chat database for one test, and the plain SQL a backoffice sync or a DBA would run
/// to fill it: users, circles, memberships, chats, messages, sessions. Messages written here go
/// through the same triggers as the API's, so the gateway cannot tell them apart.
final class ChatWorld: Sendable {
    /// The database's URL (what the gateway gets as `DATABASE_URL`).
    let url: String
    let pool: PostgresPool
    let sessions: Sessions
    private let database: TestDatabase?

    /// A fresh migrated database on the server of `DATABASE_URL`.
    init() throws {
        let database = try TestDatabase.create(migrated: true)
        self.database = database
        url = database.url
        pool = PostgresPool(config: database.config, maxConnections: 2)
        sessions = Sessions(pool: pool)
    }

    /// The already migrated database at `url` (a private cluster's).
    init(url: String) {
        database = nil
        self.url = url
        pool = PostgresPool(config: PostgresConfig(url: url, applicationName: "tests"), maxConnections: 2)
        sessions = Sessions(pool: pool)
    }

    func close() {
        pool.close()
        database?.drop()
    }

    @discardableResult
    func execute(_ query: SQLQuery) async throws -> Int {
        try await pool.withConnection { try $0.execute(query) }
    }

    func user(_ id: String, admin: Bool = false) async throws {
        try await execute("""
            INSERT INTO chat.users (id, name, email, role) VALUES (\(id), \("Name " + id), \(id + "@example.com"), \(admin ? "admin" : "member"))
            """)
    }

    /// A circle with `members` and, unless `chat` is false, its chat (returned), which starts
    /// with its `chat_created` system message at seq 1.
    @discardableResult
    func circle(_ id: String, members: [String], chat: Bool = true) async throws -> String? {
        try await execute("INSERT INTO chat.circles (id, name) VALUES (\(id), \("Circle " + id))")
        for member in members { try await addMember(member, to: id) }
        guard chat else { return nil }
        let rows = try await pool.withConnection { conn in
            try conn.query("INSERT INTO chat.conversations (kind, circle_id) VALUES ('circle', \(id)) RETURNING id::text AS id")
        }
        return try rows[0].decode("id", as: String.self)
    }

    func addMember(_ user: String, to circle: String) async throws {
        try await execute("INSERT INTO chat.circle_members (circle_id, user_id) VALUES (\(circle), \(user))")
    }

    func removeMember(_ user: String, from circle: String) async throws {
        try await execute("DELETE FROM chat.circle_members WHERE circle_id = \(circle) AND user_id = \(user)")
    }

    /// The direct chat of `admin` and `user` (created by `admin`).
    func directChat(_ admin: String, _ user: String) async throws -> String {
        let rows = try await pool.withConnection { conn in
            try conn.query("SELECT conversation_id::text AS id FROM chat.open_direct_conversation(\(admin), \(user), \(admin))")
        }
        return try rows[0].decode("id", as: String.self)
    }

    /// A message inserted with plain SQL (seq from the trigger); returns its seq.
    @discardableResult
    func message(_ conversation: String, from sender: String, _ body: String) async throws -> Int64 {
        let rows = try await pool.withConnection { conn in
            try conn.query("""
                INSERT INTO chat.messages (conversation_id, sender_id, body) VALUES (\(conversation)::uuid, \(sender), \(body))
                RETURNING seq
                """)
        }
        return try rows[0].decode("seq", as: Int64.self)
    }

    /// `count` messages in one transaction (one commit, consecutive positions).
    func messages(_ conversation: String, from sender: String, count: Int) async throws {
        try await execute("""
            INSERT INTO chat.messages (conversation_id, sender_id, body)
            SELECT \(conversation)::uuid, \(sender), 'bulk ' || n FROM generate_series(1, \(count)) AS n
            """)
    }

    /// A `read.updated` event as the API writes it.
    func readUpdated(_ conversation: String, by user: String, seq: Int64) async throws {
        try await execute("""
            INSERT INTO chat.events (type, conversation_id, user_id, payload)
            VALUES ('read.updated', \(conversation)::uuid, \(user),
                    jsonb_build_object('conversation_id', \(conversation)::text, 'last_read_seq', \(seq)::bigint, 'unread_count', 0))
            """)
    }

    func token(_ user: String) async throws -> String {
        try await sessions.mint(userID: user).token
    }

    func latestPosition() async throws -> Int64 {
        try await pool.withConnection { conn in try conn.query("SELECT last_pos FROM chat.event_counter")[0].decode("last_pos", as: Int64.self) }
    }
}
