import ChatStore
import Foundation
import Postgres
import TestSupport
import Testing

/// `007_attention.sql` on a database that already holds messages: they become searchable
/// (the vector is computed once by the migration), mention nobody, and nothing is muted.
@Suite("007 on a live database")
struct AttentionMigrationTests {
    @Test("apply the files before 007, store messages (one deleted), then migrate: searchable, no mentions, re-applies harmlessly")
    func upgradeIndexesMessages() async throws {
        let earlier = try EarlierMigrations(before: 7)
        defer { earlier.remove() }
        try await StoreFixture.with(migrated: false) { fixture in
            try await Migrator(sqlDirectory: earlier.directory).migrate(using: fixture.pool)
            try await fixture.user("a1", role: "admin")
            try await fixture.user("u1")
            let direct = try await fixture.direct("a1", "u1")
            for n in 1...10 { try await fixture.send("Crème brûlée number \(n)", from: "a1", to: direct) }
            try await fixture.pool.execute("DELETE FROM chat.messages WHERE conversation_id = \(direct) AND seq = 4")

            let applied = try await Migrator(sqlDirectory: TestDatabase.sqlDirectory).migrate(using: fixture.pool)
            #expect(applied.map(\.version).contains(7))
            let found = try await fixture.pool.query("""
                SELECT count(*) FILTER (WHERE search_vector @@ to_tsquery('chat.search', 'creme:* & brul:*')) AS found,
                       count(*) FILTER (WHERE mentions = '{}') AS unmentioned, count(*) AS total
                  FROM chat.messages WHERE conversation_id = \(direct)
                """)[0]
            #expect(try found.decode("found", as: Int.self) == 9, "every live message, accents folded; not the deleted one")
            #expect(try found.decode("unmentioned", as: Int.self) == 10 && found.decode("total", as: Int.self) == 10)
            // 007 is idempotent like the files before it.
            let script = try earlier.script(7)
            try await fixture.pool.withConnection { connection in
                try connection.withTransaction { try $0.executeScript(unsafeSQL: script) }
            }
            #expect(try await fixture.count("chat.messages") == 10)
        }
    }
}
