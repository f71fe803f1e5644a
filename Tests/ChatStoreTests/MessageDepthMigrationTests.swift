import ChatStore
import Foundation
import Postgres
import TestSupport
import Testing

/// `006_message_depth.sql` on a database that already holds messages: every message stays,
/// as it was, and becomes a user message that was never edited or deleted.
@Suite("006 on a live database")
struct MessageDepthMigrationTests {
    @Test("apply the files before 006, store messages, then migrate: all kept, unread unchanged, the new rules in force")
    func upgradeKeepsMessages() async throws {
        let earlier = try EarlierMigrations(before: 6)
        defer { earlier.remove() }
        try await StoreFixture.with(migrated: false) { fixture in
            try await Migrator(sqlDirectory: earlier.directory).migrate(using: fixture.pool)
            try await fixture.user("a1", role: "admin")
            try await fixture.user("u1")
            try await fixture.circle("c1", members: ["u1"])
            let chat = try await fixture.circleChat("c1")
            let direct = try await fixture.direct("a1", "u1")
            for n in 1...40 { try await fixture.send("circle \(n)", from: n % 2 == 0 ? "a1" : "u1", to: chat) }
            for n in 1...25 { try await fixture.send("direct \(n)", from: "a1", to: direct) }
            try await fixture.pool.execute("INSERT INTO chat.read_markers (conversation_id, user_id, last_read_seq) VALUES (\(direct), 'u1', 10)")
            let before = try await Self.snapshot(fixture)

            let applied = try await Migrator(sqlDirectory: TestDatabase.sqlDirectory).migrate(using: fixture.pool)
            #expect(applied.map(\.version).contains(6))
            #expect(try await Self.snapshot(fixture) == before)
            let shape = try await fixture.pool.query("""
                SELECT count(*) FILTER (WHERE kind = 'user' AND system IS NULL AND reply_to IS NULL AND edited_at IS NULL
                                        AND deleted_at IS NULL AND deleted_by IS NULL) AS plain, count(*) AS total
                  FROM chat.messages
                """)[0]
            #expect(try shape.decode("plain", as: Int.self) == 65 && shape.decode("total", as: Int.self) == 65)
            let unread = try await fixture.pool.query("""
                SELECT unread_count FROM chat.unread_counts WHERE user_id = 'u1' AND conversation_id = \(direct)
                """)[0].decode("unread_count", as: Int.self)
            #expect(unread == 15)
            // The old rows now stream and read as the new Message object, and edit like new ones.
            let json = try await fixture.pool.query("""
                SELECT chat.message_json(m.id, 'u1')::text AS j FROM chat.messages m WHERE conversation_id = \(direct) AND seq = 3
                """)[0].decode("j", as: String.self)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect(object["body"] as? String == "direct 3" && object["kind"] as? String == "user" && object["deleted"] as? Bool == false)
            try await fixture.pool.execute("UPDATE chat.messages SET body = 'direct 3, fixed' WHERE conversation_id = \(direct) AND seq = 3")
            #expect(try await fixture.count("chat.message_revisions") == 1)
            // 006 is idempotent like the files before it.
            let script = try earlier.script(6)
            try await fixture.pool.withConnection { connection in
                try connection.withTransaction { try $0.executeScript(unsafeSQL: script) }
            }
            #expect(try await fixture.count("chat.messages") == 65)
        }
    }

    /// Every message as (conversation, seq, sender, body, created_at), and the conversations' counters.
    static func snapshot(_ fixture: StoreFixture) async throws -> [String] {
        let messages = try await fixture.pool.query("""
            SELECT conversation_id::text || ' ' || seq || ' ' || sender_id || ' ' || body || ' ' || created_at::text AS line
              FROM chat.messages ORDER BY conversation_id, seq
            """).map { try $0.decode("line", as: String.self) }
        let conversations = try await fixture.pool.query("""
            SELECT id::text || ' ' || last_seq || ' ' || last_message_id AS line FROM chat.conversations ORDER BY id
            """).map { try $0.decode("line", as: String.self) }
        return messages + conversations
    }
}
