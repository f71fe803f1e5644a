import ChatStore
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Migrator")
struct MigratorTests {
    let migrator = Migrator(sqlDirectory: TestDatabase.sqlDirectory)

    static let tables = [
        "users", "circles", "circle_members", "conversations", "direct_participants", "messages",
        "read_markers", "sessions", "events", "event_counter", "schema_migrations",
    ]

    @Test("migrates an empty database and records every file")
    func migratesFromEmpty() async throws {
        try await StoreFixture.with(migrated: false) { fixture in
            let applied = try await migrator.migrate(using: fixture.pool)
            let files = try migrator.migrations()
            #expect(applied == files)
            #expect(files.count >= 4)
            #expect(files.first?.fileName == "001_schema.sql")
            let recorded = try await fixture.pool.query("SELECT version, name FROM chat.schema_migrations ORDER BY version")
            #expect(try recorded.map { try $0.decode("version", as: Int.self) } == files.map(\.version))
            #expect(try recorded.map { try $0.decode("name", as: String.self) } == files.map(\.name))
            for table in Self.tables {
                let exists = try await fixture.pool.query("SELECT to_regclass(\("chat." + table)) IS NOT NULL AS e")[0]
                #expect(try exists.decode("e", as: Bool.self), "chat.\(table)")
            }
        }
    }

    @Test("a second run applies nothing")
    func secondRunIsNoOp() async throws {
        try await StoreFixture.with(migrated: false) { fixture in
            try await migrator.migrate(using: fixture.pool)
            let before = try await fixture.pool.query("SELECT version, applied_at FROM chat.schema_migrations ORDER BY 1")
            #expect(try await migrator.migrate(using: fixture.pool).isEmpty)
            let after = try await fixture.pool.query("SELECT version, applied_at FROM chat.schema_migrations ORDER BY 1")
            #expect(before.map { $0["applied_at"] } == after.map { $0["applied_at"] })
        }
    }

    @Test("adopts a database built with psql -f (every file is idempotent)")
    func adoptsHandMigratedDatabase() async throws {
        try await StoreFixture.with(migrated: true) { fixture in
            try await fixture.pool.execute("INSERT INTO chat.users (id, name, email, role) VALUES ('u1', 'U', 'u@x', 'member')")
            #expect(try await migrator.migrate(using: fixture.pool).count == migrator.migrations().count)
            #expect(try await fixture.count("chat.users") == 1)
            #expect(try await fixture.count("chat.event_counter") == 1)
        }
    }

    @Test("four chatctl migrate processes at once apply each file exactly once")
    func concurrentProcesses() async throws {
        try await StoreFixture.with(migrated: false) { fixture in
            let environment = ["DATABASE_URL": fixture.database.url, "CHAT_SQL_DIR": TestDatabase.sqlDirectory.path]
            let outcomes = try await withThrowingTaskGroup(of: ProgramRun.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await ChatctlProcess.run(["migrate"], environment: environment) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for outcome in outcomes {
                #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            }
            let appliedLines = outcomes.flatMap { $0.stdout.split(separator: "\n") }.filter { $0.hasPrefix("applied ") }
            let files = try migrator.migrations()
            #expect(appliedLines.sorted() == files.map { "applied \($0.fileName)" }.sorted())
            #expect(try await fixture.count("chat.schema_migrations") == files.count)
        }
    }

    @Test("a failing file is rolled back and stops the run; earlier files stay applied")
    func failingMigrationRollsBack() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "CREATE TABLE chat.first_table (x int);".write(
            to: directory.appendingPathComponent("001_first.sql"), atomically: true, encoding: .utf8)
        try "CREATE TABLE chat.second_table (x int); SELECT 1 / 0;".write(
            to: directory.appendingPathComponent("002_broken.sql"), atomically: true, encoding: .utf8)
        try await StoreFixture.with(migrated: false) { fixture in
            let migrator = Migrator(sqlDirectory: directory)
            let error = await #expect(throws: ChatStoreError.self) { try await migrator.migrate(using: fixture.pool) }
            guard case .migrationFailed(let file, let reason) = error else {
                Issue.record("expected migrationFailed, got \(String(describing: error))")
                return
            }
            #expect(file == "002_broken.sql")
            #expect(reason.contains("22012"), "division by zero: \(reason)")
            let tables = try await fixture.pool.query("""
                SELECT to_regclass('chat.first_table') IS NOT NULL AS first, to_regclass('chat.second_table') IS NOT NULL AS second
                """)[0]
            #expect(try tables.decode("first", as: Bool.self))
            #expect(try !tables.decode("second", as: Bool.self))
            #expect(try await fixture.count("chat.schema_migrations") == 1)
        }
    }

    @Test("refuses a .sql file not named NNN_name.sql, and a repeated version")
    func refusesBadFileNames() throws {
        for names in [["001_ok.sql", "schema.sql"], ["001_a.sql", "1_b.sql"], ["001_.sql"]] {
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            for name in names {
                try "SELECT 1;".write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
            #expect(throws: ChatStoreError.self, "\(names)") { try Migrator(sqlDirectory: directory).migrations() }
        }
    }

    @Test("finds sql/ above a nested directory, prefers CHAT_SQL_DIR, and names where it looked")
    func locatesTheSQLDirectory() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let sql = root.appendingPathComponent("sql")
        let nested = root.appendingPathComponent(".build-x/debug")
        try FileManager.default.createDirectory(at: sql, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        try "SELECT 1;".write(to: sql.appendingPathComponent("001_x.sql"), atomically: true, encoding: .utf8)

        #expect(try SQLDirectory.locate(environment: [:], startingPoints: [nested]).standardizedFileURL.path == sql.standardizedFileURL.path)
        let explicit = try SQLDirectory.locate(environment: ["CHAT_SQL_DIR": TestDatabase.sqlDirectory.path], startingPoints: [nested])
        #expect(explicit.path == TestDatabase.sqlDirectory.path)
        #expect(throws: ChatStoreError.self) {
            try SQLDirectory.locate(environment: ["CHAT_SQL_DIR": nested.path], startingPoints: [nested])
        }
        #expect(throws: ChatStoreError.self) {
            try SQLDirectory.locate(environment: [:], startingPoints: [URL(fileURLWithPath: "/proc")])
        }
    }

    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("store-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
