import Foundation
import Postgres
import Testing
import TestSupport

/// A commit whose wait for the synchronous standby is cancelled is reported by PostgreSQL as a
/// success with a WARNING, though no standby has it: `withTransaction` must throw instead, or
/// a failover loses an acknowledged write (docs/architecture.md, "Failover").
@Suite struct SynchronousCommitTests {
    @Test("a COMMIT whose wait for the synchronous standby is cancelled throws commitNotConfirmed (the row is committed locally)")
    func cancelledSynchronousWaitIsNotASuccess() async throws {
        try await PostgresCluster.with { cluster in
            let config = cluster.config
            try await offloaded {
                let admin = try PostgresConnection.connect(config)
                defer { admin.close() }
                try admin.execute("CREATE TABLE sync_probe (id int)")
                // A standby that never comes: every commit waits for it until cancelled.
                try admin.execute("ALTER SYSTEM SET synchronous_standby_names = 'never_connects'")
                try admin.execute("SELECT pg_reload_conf()")
            }
            async let outcome = offloaded { () -> String in
                let writer = try PostgresConnection.connect(config)
                defer { writer.close() }
                while try writer.query("SHOW synchronous_standby_names")[0]["synchronous_standby_names"] != "never_connects" {
                    usleep(10_000)
                }
                do {
                    try writer.withTransaction { try $0.execute("INSERT INTO sync_probe VALUES (1)") }
                    return "acknowledged"
                } catch let error as PostgresError {
                    return error.kind.description
                }
            }
            let cancelled = try await offloaded { () -> Bool in
                let admin = try PostgresConnection.connect(config)
                defer { admin.close() }
                for _ in 0..<1000 {
                    let rows = try admin.query("SELECT pg_cancel_backend(pid) AS cancelled FROM pg_stat_activity WHERE wait_event = 'SyncRep'")
                    if try rows.first?.decode("cancelled", as: Bool.self) == true { return true }
                    usleep(10_000)
                }
                return false
            }
            #expect(cancelled, "the writer's COMMIT waited for the standby")
            #expect(try await outcome == PostgresError.Kind.commitNotConfirmed.description)
            let stored = try await offloaded { () -> Int64 in
                let admin = try PostgresConnection.connect(config)
                defer { admin.close() }
                try admin.execute("ALTER SYSTEM RESET synchronous_standby_names")
                try admin.execute("SELECT pg_reload_conf()")
                return try admin.query("SELECT count(*) AS n FROM sync_probe")[0].decode("n", as: Int64.self)
            }
            #expect(stored == 1, "visible on this server: why it must not be acknowledged, not why it is lost")
        }
    }
}
