import Foundation
import Postgres
import Testing
import TestSupport

/// The database fixtures other test targets rely on.
@Suite struct TestSupportTests {
    @Test func testDatabaseIsFreshMigratedAndDroppable() async throws {
        try await offloaded { try Self.createMigrateAndDrop() }
    }

    private static func createMigrateAndDrop() throws {
        let database = try TestDatabase.create(migrated: true)
        let conn = try PostgresConnection.connect(database.config)
        #expect(try conn.scalar("SELECT current_database() AS v", as: String.self) == database.name)
        let files = try TestDatabase.migrationFiles()
        #expect(files.map(\.lastPathComponent) == files.map(\.lastPathComponent).sorted())
        if !files.isEmpty {
            #expect(try conn.scalar("SELECT count(*) AS n FROM pg_namespace WHERE nspname = 'chat'", as: Int.self) == 1)
        }
        database.drop()
        #expect(!conn.isHealthy, "drop ends the sessions still connected")
        conn.close()
        try withConnection { admin throws in
            #expect(try admin.scalar("SELECT count(*) AS n FROM pg_database WHERE datname = \(database.name)", as: Int.self) == 0)
        }
    }

    @Test func unmigratedDatabasesAreEmptyAndUniquelyNamed() async throws {
        try await offloaded { try Self.createTwoEmptyDatabases() }
    }

    private static func createTwoEmptyDatabases() throws {
        let first = try TestDatabase.create(migrated: false)
        defer { first.drop() }
        let second = try TestDatabase.create(migrated: false)
        defer { second.drop() }
        #expect(first.name != second.name)
        let conn = try PostgresConnection.connect(first.config)
        defer { conn.close() }
        #expect(try conn.scalar("SELECT count(*) AS n FROM pg_namespace WHERE nspname = 'chat'", as: Int.self) == 0)
    }

    @Test func clusterStopsStartsAndIsDestroyed() async throws {
        try await offloaded { try Self.stopStartAndDestroyACluster() }
    }

    private static func stopStartAndDestroyACluster() throws {
        let cluster = try PostgresCluster.start()
        let directory = cluster.directory
        let before = try PostgresConnection.connect(cluster.config)
        #expect(try before.scalar("SHOW max_connections", as: String.self) == "200")
        #expect(try before.scalar("SHOW fsync", as: String.self) == "on")
        before.close()
        try cluster.stop()
        #expect(throws: PostgresError.self) { try PostgresConnection.connect(cluster.config) }
        try cluster.start()
        let after = try PostgresConnection.connect(cluster.config)
        #expect(try after.scalar("SELECT 1 AS v", as: Int.self) == 1)
        after.close()
        cluster.destroy()
        #expect(!FileManager.default.fileExists(atPath: directory))
        #expect(throws: PostgresError.self) { try PostgresConnection.connect(cluster.config) }
    }
}
