import Foundation
import Postgres
import Synchronization

/// A fresh, uniquely named database on the server in `DATABASE_URL`, so each test (or suite)
/// starts from a known state without disturbing the others running in parallel.
///
/// ```swift
/// let database = try TestDatabase.create(migrated: true)   // every sql/*.sql applied
/// defer { database.drop() }
/// let pool = PostgresPool(config: database.config)
/// ```
///
/// Fails (does not skip) when `DATABASE_URL` is unset: tests that need PostgreSQL must not pass
/// without it.
public struct TestDatabase: Sendable {
    /// The database's name (`test_<pid>_<n>_<random>`).
    public let name: String
    /// A URL for this database: `DATABASE_URL` with the database name replaced.
    public let url: String
    private let serverURL: String

    /// A configuration for `url` (application name `tests`).
    public var config: PostgresConfig {
        PostgresConfig(url: url, applicationName: "tests")
    }

    /// Creates the database; with `migrated`, applies the repository's `sql/*.sql` in name order.
    /// - Throws: when `DATABASE_URL` is unset, the server is unreachable or a migration fails.
    public static func create(migrated: Bool = true) throws -> TestDatabase {
        guard let serverURL = ProcessInfo.processInfo.environment["DATABASE_URL"], !serverURL.isEmpty else {
            throw PostgresClusterError(
                "DATABASE_URL is not set: tests that need PostgreSQL must be given a server "
                    + "(scripts/test starts one; during development: postgres://postgres@127.0.0.1:5433/postgres)")
        }
        let name = uniqueName()
        let admin = try PostgresConnection.connect(PostgresConfig(url: serverURL, applicationName: "tests"))
        defer { admin.close() }
        try admin.execute("CREATE DATABASE \(identifier: name)")
        let database = TestDatabase(name: name, url: try url(serverURL, database: name), serverURL: serverURL)
        if migrated {
            do {
                try migrate(url: database.url)
            } catch {
                database.drop()
                throw error
            }
        }
        return database
    }

    /// Drops the database, ending any sessions still connected to it. Never throws: a
    /// leftover database is harmless, and the test's own outcome matters more.
    public func drop() {
        guard let admin = try? PostgresConnection.connect(PostgresConfig(url: serverURL, applicationName: "tests"))
        else { return }
        defer { admin.close() }
        _ = try? admin.execute("DROP DATABASE IF EXISTS \(identifier: name) WITH (FORCE)")
    }

    /// Applies every `sql/*.sql` file of the repository, in name order, to the database at
    /// `url` (e.g. a private `PostgresCluster`). Each file runs as one script.
    /// - Throws: the first failing file's error, naming the file.
    public static func migrate(url: String) throws {
        let connection = try PostgresConnection.connect(PostgresConfig(url: url, applicationName: "tests"))
        defer { connection.close() }
        for file in try migrationFiles() {
            let script = try String(contentsOf: file, encoding: .utf8)
            do {
                try connection.executeScript(unsafeSQL: script)
            } catch {
                throw PostgresClusterError("migration \(file.lastPathComponent) failed: \(error)")
            }
        }
    }

    /// The repository's `sql/` folder, found from this source file's location.
    public static var sqlDirectory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // TestSupport
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // repository root
            .appendingPathComponent("sql")
    }

    /// `sql/*.sql`, sorted by file name (none yet is not an error).
    public static func migrationFiles() throws -> [URL] {
        guard FileManager.default.fileExists(atPath: sqlDirectory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: sqlDirectory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    private static let counter = Atomic<Int>(0)

    private static func uniqueName() -> String {
        let number = counter.add(1, ordering: .relaxed).newValue
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "test_\(getpid())_\(number)_\(random)"
    }

    /// `serverURL` pointing at database `name`: the path of a `postgres://` URL, or a
    /// `dbname=` added to a `key=value` connection string (the last setting wins).
    private static func url(_ serverURL: String, database name: String) throws -> String {
        guard serverURL.contains("://") else { return "\(serverURL) dbname=\(name)" }
        guard var components = URLComponents(string: serverURL) else {
            throw PostgresClusterError("DATABASE_URL is not a URL that can be rewritten for a test database")
        }
        components.path = "/\(name)"
        guard let url = components.string else {
            throw PostgresClusterError("DATABASE_URL is not a URL that can be rewritten for a test database")
        }
        return url
    }
}
