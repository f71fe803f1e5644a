import ChatStore
import Postgres
import Testing

@Suite("Pruner")
struct PrunerTests {
    /// A database with `count` committed events (one message each, after the setup's own).
    private func eventsOnly(_ fixture: StoreFixture, count: Int) async throws {
        try await fixture.user("a1", role: "admin")
        try await fixture.user("u1")
        let conversation = try await fixture.direct("a1", "u1")
        for index in 0..<count { try await fixture.send("m\(index)", from: "a1", to: conversation) }
        try await fixture.pool.execute("DELETE FROM chat.events WHERE type <> 'message.created'")
    }

    private func age(_ fixture: StoreFixture, positionsFromOldest indices: [Int], hours: Int) async throws {
        try await fixture.pool.execute("""
            UPDATE chat.events SET committed_at = now() - make_interval(hours => \(hours)::int)
             WHERE pos - (SELECT min(pos) FROM chat.events) = ANY(\(indices)::bigint[])
            """)
    }

    private func positions(_ fixture: StoreFixture) async throws -> [Int64] {
        try await fixture.events().map(\.pos)
    }

    @Test("deletes events older than the window, oldest first, in batches")
    func deletesOldEventsInBatches() async throws {
        try await StoreFixture.with { fixture in
            try await eventsOnly(fixture, count: 12)
            let before = try await positions(fixture)
            try await age(fixture, positionsFromOldest: Array(0..<7), hours: 30)
            let deleted = try await Pruner(batchSize: 3).prune(using: fixture.pool)
            #expect(deleted == 7)
            #expect(try await positions(fixture) == Array(before.dropFirst(7)))
            #expect(try await Pruner().prune(using: fixture.pool) == 0)
        }
    }

    @Test("never leaves a hole: an old event after a recent one is kept")
    func deletesOnlyAPrefix() async throws {
        try await StoreFixture.with { fixture in
            try await eventsOnly(fixture, count: 8)
            let before = try await positions(fixture)
            try await age(fixture, positionsFromOldest: [0, 1, 2, 5], hours: 48)
            #expect(try await Pruner().prune(using: fixture.pool) == 3)
            #expect(try await positions(fixture) == Array(before.dropFirst(3)))
        }
    }

    @Test("a shorter window deletes more, and an empty log is fine")
    func retentionWindow() async throws {
        try await StoreFixture.with { fixture in
            #expect(try await Pruner().prune(using: fixture.pool) == 0)
            try await eventsOnly(fixture, count: 5)
            try await age(fixture, positionsFromOldest: [0, 1], hours: 3)
            #expect(try await Pruner().prune(using: fixture.pool) == 0)
            #expect(try await Pruner(retention: .seconds(2 * 3600)).prune(using: fixture.pool) == 2)
            #expect(try await Pruner(retention: .zero).prune(using: fixture.pool) == 3)
            #expect(try await fixture.events().isEmpty)
        }
    }
}
