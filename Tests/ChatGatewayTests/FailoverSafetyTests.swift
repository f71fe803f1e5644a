import Foundation
import Postgres
import Testing
import TestSupport

/// What the gateway does about commits a failover could take back (docs/architecture.md,
/// "Failover"), on one server: a synchronous standby
/// that never confirms stands for one that has not confirmed yet, and a log moved back under the
/// gateway's position stands for a database that came back without what the gateway streamed.
@Suite("Gateway failover safety", .serialized)
struct FailoverSafetyTests {
    @Test("an event whose commit no synchronous standby confirmed is not streamed until one does (or synchronous replication is off)")
    func unconfirmedEventsWait() async throws {
        try await PostgresCluster.with { cluster in
            try await TestDatabase.migrateOffloaded(url: cluster.url)
            let world = ChatWorld(url: cluster.url)
            defer { world.pool.close() }
            try await world.user("ada")
            let chat = try #require(try await world.circle("c1", members: ["ada"]))
            let token = try await world.token("ada")
            let gateway = try await GatewayProcess.start(databaseURL: cluster.url)
            do {
                try await expectConfirmedOnly(world, gateway, chat: chat, token: token)
            } catch {
                await gateway.stop()
                throw error
            }
            await gateway.stop()
        }
    }

    private func expectConfirmedOnly(_ world: ChatWorld, _ gateway: GatewayProcess, chat: String, token: String) async throws {
            let stream = try await gateway.openStream(world, token: token)

            try await world.execute("ALTER SYSTEM SET synchronous_standby_names = 'never_connects'")
            try await world.execute("SELECT pg_reload_conf()")
            try await Task.sleep(for: .milliseconds(300))
            // Committed here without waiting for the standby: what a cancelled wait leaves behind.
            try await world.pool.withConnection { conn in
                try conn.withTransaction { conn in
                    try conn.execute("SET LOCAL synchronous_commit = local")
                    try conn.execute("INSERT INTO chat.messages (conversation_id, sender_id, body) VALUES (\(chat)::uuid, 'ada', 'unconfirmed')")
                }
            }
            try await stream.expectNothing(for: .milliseconds(1500))

            try await world.execute("ALTER SYSTEM RESET synchronous_standby_names")
            try await world.execute("SELECT pg_reload_conf()")
            let event = try await stream.next(timeout: .seconds(5))
            #expect(event.event == "message.created")
            #expect((event.json["message"] as? [String: Any])?["body"] as? String == "unconfirmed")
    }

    @Test("after a reconnect to a log that ends before the gateway's position, every stream gets reset and resumes without a reused position")
    func forkResetsStreams() async throws {
        try await withGateway { world, gateway in
            try await world.user("ada")
            let chat = try #require(try await world.circle("c1", members: ["ada"]))
            let token = try await world.token("ada")
            let stream = try await gateway.openStream(world, token: token)
            for n in 1...4 { try await world.message(chat, from: "ada", "before \(n)") }
            let before = try await stream.next(4)
            let kept = try #require(before[1].position)

            // The database comes back without the last two events (a restore, a lost failover).
            try await world.pool.withConnection { conn in
                try conn.withTransaction { conn in
                    try conn.execute("DELETE FROM chat.events WHERE pos > \(kept)")
                    try conn.execute("UPDATE chat.event_counter SET last_pos = \(kept)")
                }
            }
            try await world.execute("""
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                 WHERE datname = current_database() AND application_name = 'chat-gateway'
                """)
            let reset = try await stream.next(timeout: .seconds(10))
            #expect(reset.event == "reset")
            #expect(reset.position == kept)
            #expect(reset.json["reason"] as? String == "unknown_position")
            #expect(try await stream.closes(within: .seconds(5)))

            // Positions after `kept` now go to new events: a client resuming from the reset gets them.
            let resumed = try await gateway.openStream(world, token: token, headers: [("Last-Event-ID", String(kept))])
            try await world.message(chat, from: "ada", "after")
            let after = try await resumed.next(timeout: .seconds(5))
            #expect(after.position == kept + 1)
            #expect((after.json["message"] as? [String: Any])?["body"] as? String == "after")
        }
    }
}
