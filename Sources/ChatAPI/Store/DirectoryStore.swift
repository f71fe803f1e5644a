import HTTP
import Models
import Postgres

/// The SQL of directory sync: users, circles and circle membership. Every write is idempotent
/// and skips rows that would not change (no new `updated_at`, no event, no WAL).
struct DirectoryStore: Sendable {
    let database: Database

    /// Inserts or replaces the user; true when it was created.
    func upsertUser(_ user: User) async throws -> Bool {
        try await database.run { connection in
            let rows = try connection.query("""
                INSERT INTO chat.users AS u (id, name, email, avatar_url, role, active)
                VALUES (\(user.id), \(user.name), \(user.email), \(user.avatarURL), \(user.role.rawValue), \(user.active))
                ON CONFLICT (id) DO UPDATE
                   SET name = EXCLUDED.name, email = EXCLUDED.email, avatar_url = EXCLUDED.avatar_url,
                       role = EXCLUDED.role, active = EXCLUDED.active
                 WHERE (u.name, u.email, u.avatar_url, u.role, u.active)
                       IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.email, EXCLUDED.avatar_url, EXCLUDED.role, EXCLUDED.active)
                RETURNING (xmax = 0) AS created
                """)
            return try rows.first?.decode("created", as: Bool.self) ?? false
        }
    }

    func user(_ id: String) async throws -> User? {
        try await database.run { connection in
            try connection.query("SELECT \(unsafeSQL: Columns.user) FROM chat.users u WHERE u.id = \(id)")
                .first.map(User.init(row:))
        }
    }

    /// Inserts or replaces the circle; returns it as the API shows it, and whether it was created.
    func upsertCircle(id: String, name: String, url: String?) async throws -> (Circle, created: Bool) {
        try await database.run { connection in
            let created = try connection.query("""
                INSERT INTO chat.circles AS c (id, name, url) VALUES (\(id), \(name), \(url))
                ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, url = EXCLUDED.url
                 WHERE (c.name, c.url) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.url)
                RETURNING (xmax = 0) AS created
                """).first?.decode("created", as: Bool.self) ?? false
            guard let circle = try Self.circle(id, on: connection) else {
                throw PostgresError(.server, "circle \(id) vanished right after its upsert")
            }
            return (circle, created)
        }
    }

    /// Makes `userIDs` the circle's members. 404 for an unknown circle, and 404 naming the
    /// ids that are not users (up to five). Returns the member count.
    func replaceMembers(circleID: String, userIDs: [String]) async throws -> Int {
        try await database.transaction { connection in
            try Self.lockCircle(circleID, on: connection)
            let unknown = try connection.query("""
                SELECT w.id FROM unnest(\(userIDs)::text[]) AS w(id)
                 WHERE NOT EXISTS (SELECT 1 FROM chat.users u WHERE u.id = w.id) ORDER BY w.id LIMIT 5
                """).map { try $0.decode("id", as: String.self) }
            if !unknown.isEmpty {
                throw APIError.notFound("unknown user ids: \(unknown.joined(separator: ", "))")
            }
            try connection.execute("""
                DELETE FROM chat.circle_members WHERE circle_id = \(circleID) AND user_id <> ALL(\(userIDs)::text[])
                """)
            try connection.execute("""
                INSERT INTO chat.circle_members (circle_id, user_id)
                SELECT \(circleID), w.id FROM unnest(\(userIDs)::text[]) AS w(id) ORDER BY w.id
                ON CONFLICT DO NOTHING
                """)
            return try connection.query("SELECT count(*) AS n FROM chat.circle_members WHERE circle_id = \(circleID)")
                .first?.decode("n", as: Int.self) ?? 0
        }
    }

    /// Adds one member (idempotent). 404 when the circle or the user does not exist.
    func addMember(circleID: String, userID: String) async throws {
        try await database.transaction { connection in
            try Self.lockCircle(circleID, on: connection)
            guard try connection.query("SELECT 1 FROM chat.users WHERE id = \(userID)").count == 1 else {
                throw APIError.notFound("user not found")
            }
            try connection.execute("""
                INSERT INTO chat.circle_members (circle_id, user_id) VALUES (\(circleID), \(userID)) ON CONFLICT DO NOTHING
                """)
        }
    }

    /// Removes one member (idempotent: not a member is fine). 404 when the circle does not exist.
    func removeMember(circleID: String, userID: String) async throws {
        try await database.transaction { connection in
            try Self.lockCircle(circleID, on: connection)
            try connection.execute("DELETE FROM chat.circle_members WHERE circle_id = \(circleID) AND user_id = \(userID)")
        }
    }

    /// Serializes membership changes of one circle (two concurrent replaces of the set would
    /// otherwise interleave into a set neither asked for); 404 when it does not exist.
    private static func lockCircle(_ id: String, on connection: PostgresConnection) throws {
        guard try connection.query("SELECT 1 FROM chat.circles WHERE id = \(id) FOR NO KEY UPDATE").count == 1 else {
            throw APIError.notFound("circle not found")
        }
    }

    /// The circle as the API shows it, or nil.
    static func circle(_ id: String, on connection: PostgresConnection) throws -> Circle? {
        try connection.query("""
            SELECT c.id, c.name, c.url,
                   (SELECT count(*) FROM chat.circle_members m WHERE m.circle_id = c.id) AS member_count,
                   (SELECT v.id::text FROM chat.conversations v WHERE v.circle_id = c.id) AS conversation_id
              FROM chat.circles c WHERE c.id = \(id)
            """).first.map(Circle.init(row:))
    }
}
