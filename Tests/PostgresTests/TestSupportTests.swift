import Foundation
import Postgres
import Testing
import TestSupport

/// The database fixtures other test targets rely on, and `offloaded`, which keeps them off the
/// cooperative pool.
@Suite struct TestSupportTests {
    @Test func testDatabaseIsFreshMigratedAndDroppable() async throws {
        let database = try await TestDatabase.createOffloaded(migrated: true)
        try await offloaded {
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
        }
        try await withConnection { admin throws in
            #expect(try admin.scalar("SELECT count(*) AS n FROM pg_database WHERE datname = \(database.name)", as: Int.self) == 0)
        }
    }

    @Test func unmigratedDatabasesAreEmptyAndUniquelyNamed() async throws {
        try await TestDatabase.with(migrated: false) { first in
            try await TestDatabase.with(migrated: false) { second in
                #expect(first.name != second.name)
                try await offloaded {
                    let conn = try PostgresConnection.connect(first.config)
                    defer { conn.close() }
                    #expect(try conn.scalar("SELECT count(*) AS n FROM pg_namespace WHERE nspname = 'chat'", as: Int.self) == 0)
                }
            }
        }
    }

    @Test func withDropsTheDatabaseEvenWhenTheBodyThrows() async throws {
        struct Failure: Error {}
        let name = Recorder<String>()
        await #expect(throws: Failure.self) {
            try await TestDatabase.with(migrated: false) { database in
                name.append(database.name)
                throw Failure()
            }
        }
        let dropped = try #require(name.values.first)
        try await withConnection { admin throws in
            #expect(try admin.scalar("SELECT count(*) AS n FROM pg_database WHERE datname = \(dropped)", as: Int.self) == 0)
        }
    }

    @Test func clusterStopsStartsAndIsDestroyed() async throws {
        let cluster = try await PostgresCluster.startOffloaded()
        let directory = cluster.directory
        try await offloaded {
            let before = try PostgresConnection.connect(cluster.config)
            #expect(try before.scalar("SHOW max_connections", as: String.self) == "200")
            #expect(try before.scalar("SHOW fsync", as: String.self) == "on")
            before.close()
        }
        try await cluster.stopOffloaded()
        _ = await offloaded {
            #expect(throws: PostgresError.self) { try PostgresConnection.connect(cluster.config) }
        }
        try await cluster.startOffloaded()
        try await offloaded {
            let after = try PostgresConnection.connect(cluster.config)
            #expect(try after.scalar("SELECT 1 AS v", as: Int.self) == 1)
            after.close()
        }
        await cluster.destroyOffloaded()
        #expect(!FileManager.default.fileExists(atPath: directory))
        _ = await offloaded {
            #expect(throws: PostgresError.self) { try PostgresConnection.connect(cluster.config) }
        }
    }

    /// More blocked `offloaded` calls than the cooperative pool has threads (one per core), and
    /// async work still runs: it is what releases them. Were `offloaded` to block a pool thread,
    /// this would deadlock until the watchdog, long after.
    @Test func offloadedWorkLeavesTheCooperativePoolFree() async throws {
        let blocked = ProcessInfo.processInfo.activeProcessorCount + 2
        let gate = DispatchSemaphore(value: 0)
        let entered = Recorder<Bool>()
        let watchdogFired = Recorder<Bool>()
        DispatchQueue.global().asyncAfter(deadline: .now() + 30) {
            watchdogFired.append(true)
            for _ in 0..<blocked { gate.signal() }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<blocked {
                group.addTask {
                    await offloaded {
                        entered.append(true)
                        gate.wait()
                    }
                }
            }
            group.addTask {
                try #require(await eventually(timeout: .seconds(40)) { entered.values.count == blocked })
                for _ in 0..<blocked { gate.signal() }
            }
            try await group.waitForAll()
        }
        #expect(watchdogFired.values.isEmpty, "async work waited for blocked offloaded calls")
    }

    /// A program run while the test process holds two thousand descriptors (as the HTTP load
    /// tests do) starts, and inherits none of them: only its standard input, output and error.
    @Test func programRunsWithManyDescriptorsOpenAndInheritsNone() async throws {
        let held = (0..<2000).map { _ in open("/dev/null", O_RDONLY | O_CLOEXEC) }
        defer { held.filter { $0 >= 0 }.forEach { close($0) } }
        #expect(held.allSatisfy { $0 >= 0 }, "could not open 2000 descriptors: raise ulimit -n")
        let listing = try await ProgramRun.run(URL(fileURLWithPath: "/bin/ls"), ["/proc/self/fd"])
        #expect(listing.status == 0, "\(listing.stderr)")
        // 3 is the directory ls itself opened to list.
        #expect(listing.stdout.split(separator: "\n").sorted() == ["0", "1", "2", "3"], "\(listing.stdout)")
        let failing = try await ProgramRun.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "echo out; echo err >&2; exit 3"])
        #expect(failing.status == 3 && failing.stdout == "out\n" && failing.stderr == "err\n")
    }

    /// `#expect` inside `offloaded` is recorded against the running test.
    @Test func expectationsInsideOffloadedWorkBelongToTheTest() async throws {
        let name = await offloaded { Test.current?.name }
        #expect(name == "expectationsInsideOffloadedWorkBelongToTheTest()")
        await withKnownIssue {
            await offloaded { #expect(Bool(false), "recorded from the offloaded thread") }
        }
    }
}
