import Foundation
import Postgres
import TestSupport
import Testing

/// A fresh, migrated database and a pool on it for one test, with factories for the rows most
/// tests need. Dropped when the test's body returns or throws.
struct StoreFixture {
    let database: TestDatabase
    let pool: PostgresPool

    /// Runs `body` with a new database (every `sql/*.sql` applied unless `migrated` is false),
    /// created and dropped off the cooperative pool.
    static func with<T>(
        migrated: Bool = true, maxConnections: Int = 4, _ body: (StoreFixture) async throws -> T
    ) async throws -> T {
        try await TestDatabase.with(migrated: migrated) { database in
            let pool = PostgresPool(config: database.config, maxConnections: maxConnections, acquireTimeout: .seconds(30))
            defer { pool.close() }
            return try await body(StoreFixture(database: database, pool: pool))
        }
    }

    /// Inserts a user; the name is derived from the id.
    func user(_ id: String, role: String = "member", active: Bool = true) async throws {
        try await pool.execute("""
            INSERT INTO chat.users (id, name, email, role, active)
            VALUES (\(id), \("Name of " + id), \(id + "@example.com"), \(role), \(active))
            """)
    }

    /// Inserts a circle with these members.
    func circle(_ id: String, members: [String] = []) async throws {
        try await pool.execute("INSERT INTO chat.circles (id, name) VALUES (\(id), \("Circle " + id))")
        if !members.isEmpty {
            try await pool.execute("""
                INSERT INTO chat.circle_members (circle_id, user_id) SELECT \(id), unnest(\(members)::text[])
                """)
        }
    }

    /// Creates the chat of a circle.
    func circleChat(_ circleID: String, policy: String = "all_members") async throws -> UUID {
        try await pool.query("""
            INSERT INTO chat.conversations (kind, circle_id, send_policy) VALUES ('circle', \(circleID), \(policy))
            RETURNING id
            """)[0].decode("id", as: UUID.self)
    }

    /// The direct conversation of two users (created if needed).
    func direct(_ first: String, _ second: String) async throws -> UUID {
        try await pool.query("""
            SELECT conversation_id FROM chat.open_direct_conversation(\(first), \(second), \(first))
            """)[0].decode("conversation_id", as: UUID.self)
    }

    /// A plain SQL message insert, as a DBA would write it (the trigger assigns seq).
    @discardableResult
    func send(_ body: String, from sender: String, to conversation: UUID) async throws -> (id: Int64, seq: Int64) {
        let row = try await pool.query("""
            INSERT INTO chat.messages (conversation_id, sender_id, body) VALUES (\(conversation), \(sender), \(body))
            RETURNING id, seq
            """)[0]
        return (try row.decode("id"), try row.decode("seq"))
    }

    /// The committed events of `types` (all when empty), in position order.
    func events(_ types: [String] = []) async throws -> [StoredEvent] {
        try await pool.query("""
            SELECT pos, type, conversation_id, user_id, payload::text AS payload FROM chat.events
             WHERE pos IS NOT NULL AND (cardinality(\(types)::text[]) = 0 OR type = ANY(\(types)::text[]))
             ORDER BY pos
            """).map(StoredEvent.init)
    }

    /// `SELECT count(*)` of a table or view named by the test itself.
    func count(_ relation: String) async throws -> Int {
        try await pool.query(SQLQuery(unsafeSQL: "SELECT count(*) AS n FROM \(relation)"))[0].decode("n")
    }
}

/// A row of `chat.events`, as tests compare it.
struct StoredEvent: Equatable {
    var pos: Int64
    var type: String
    var conversationID: UUID?
    var userID: String?
    var payload: String

    init(_ row: PostgresRow) throws {
        pos = try row.decode("pos")
        type = try row.decode("type")
        conversationID = try row.decode("conversation_id")
        userID = try row.decode("user_id")
        payload = try row.decode("payload")
    }

    /// The payload as a JSON object.
    func json() throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(payload.utf8))
        return try #require(value as? [String: Any])
    }
}

