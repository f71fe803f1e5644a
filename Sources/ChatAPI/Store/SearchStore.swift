import HTTP
import Models
import Postgres

/// The search boxes of the start-chat and create-circle-chat dialogs.
struct SearchStore: Sendable {
    /// A standby when `DATABASE_READ_URL` is set (the directory is written by the backoffice,
    /// not by the admin searching, so no read-your-writes here).
    let reads: ReadRouting

    /// Active users whose name contains `query` (case-insensitive) or whose email starts with
    /// it; names that start with it first, then by name. An empty query lists everyone active.
    func users(matching query: String, limit: Int) async throws -> [User] {
        let pattern = Self.likeEscaped(query.lowercased())
        return try await reads.run(forReadsBy: nil) { connection in
            try connection.query(SQLQuery(unsafeSQL: """
                SELECT \(Columns.user) FROM chat.users u
                 WHERE u.active
                   AND (lower(u.name) LIKE '%' || $1::text || '%' OR lower(u.email) LIKE $1::text || '%')
                 ORDER BY (lower(u.name) LIKE $1::text || '%') DESC, lower(u.name), u.id
                 LIMIT $2
                """, binds: [pattern, limit])).map(User.init(row:))
        }
    }

    /// Circles whose name contains `query`, those starting with it first; with `withoutChat`
    /// only circles that have no chat yet (the create-circle-chat dialog).
    func circles(matching query: String, withoutChat: Bool, limit: Int) async throws -> [Circle] {
        let pattern = Self.likeEscaped(query.lowercased())
        return try await reads.run(forReadsBy: nil) { connection in
            try connection.query(SQLQuery(unsafeSQL: """
                SELECT c.id, c.name, c.url,
                       (SELECT count(*) FROM chat.circle_members m WHERE m.circle_id = c.id) AS member_count,
                       v.id::text AS conversation_id
                  FROM chat.circles c LEFT JOIN chat.conversations v ON v.circle_id = c.id
                 WHERE lower(c.name) LIKE '%' || $1::text || '%' AND (NOT $2 OR v.id IS NULL)
                 ORDER BY (lower(c.name) LIKE $1::text || '%') DESC, lower(c.name), c.id
                 LIMIT $3
                """, binds: [pattern, withoutChat, limit])).map(Circle.init(row:))
        }
    }

    /// `text` with LIKE's wildcards escaped (`\` is LIKE's default escape), so a `%` or `_` the
    /// user typed matches itself.
    static func likeEscaped(_ text: String) -> String {
        var out = ""
        for character in text {
            if character == "\\" || character == "%" || character == "_" { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
