import Foundation
import Postgres

/// Applies the missing `sql/NNN_name.sql` files in version order, each in its own transaction,
/// and records them in `chat.schema_migrations(version, name, applied_at)`.
///
/// Safe to run twice (the second run applies nothing) and from several processes at once: the
/// whole run holds a session-level `pg_advisory_lock(Migrator.advisoryLockKey)`, so a second
/// migrator waits, then finds everything applied. A failing file is rolled back and stops the run;
/// the files before it stay applied.
///
/// ```swift
/// let applied = try Migrator(sqlDirectory: try SQLDirectory.locate()).migrate(config: config)
/// ```
public struct Migrator: Sendable {
    /// The advisory lock key every migrator takes ("chatmigr" in ASCII).
    public static let advisoryLockKey: Int64 = 0x6368_6174_6d69_6772

    /// Where the migration files are.
    public let sqlDirectory: URL

    public init(sqlDirectory: URL) {
        self.sqlDirectory = sqlDirectory
    }

    /// Every migration file, sorted by version.
    /// - Throws: `ChatStoreError.badMigrationFile` for a misnamed `.sql` file or a repeated
    ///   version, `.sqlDirectoryNotFound` when the directory cannot be read.
    public func migrations() throws -> [Migration] {
        let urls: [URL]
        do {
            urls = try FileManager.default.contentsOfDirectory(at: sqlDirectory, includingPropertiesForKeys: nil)
        } catch {
            throw ChatStoreError.sqlDirectoryNotFound(searched: [sqlDirectory.path])
        }
        let found = try urls.compactMap { try Migration(url: $0) }.sorted { $0.version < $1.version }
        for (earlier, later) in zip(found, found.dropFirst()) where earlier.version == later.version {
            throw ChatStoreError.badMigrationFile(
                "\(earlier.fileName) and \(later.fileName) have the same version \(earlier.version)")
        }
        return found
    }

    /// Applies the missing migrations on a dedicated connection opened for the run and closed after.
    /// - Returns: the migrations applied now (empty when the database was up to date).
    @discardableResult
    public func migrate(config: PostgresConfig) throws -> [Migration] {
        let connection = try PostgresConnection.connect(config)
        defer { connection.close() }
        return try migrate(on: connection)
    }

    /// Applies the missing migrations on a connection borrowed from `pool` (run on its thread).
    @discardableResult
    public func migrate(using pool: PostgresPool) async throws -> [Migration] {
        try await pool.withConnection { connection in try self.migrate(on: connection) }
    }

    /// Applies the missing migrations on `connection`, which must not be inside a transaction.
    /// Blocks while another migrator holds the lock.
    /// - Throws: `ChatStoreError.migrationFailed` naming the file; `PostgresError` for the lock
    ///   and bookkeeping statements.
    @discardableResult
    public func migrate(on connection: PostgresConnection) throws -> [Migration] {
        let all = try migrations()
        try connection.execute("SELECT pg_advisory_lock(\(Self.advisoryLockKey))")
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))") }
        try connection.executeScript(unsafeSQL: Self.bookkeepingSQL)
        let applied = Set(try connection.query("SELECT version FROM chat.schema_migrations").map {
            try $0.decode("version", as: Int.self)
        })
        var appliedNow: [Migration] = []
        for migration in all where !applied.contains(migration.version) {
            let script = try migration.script()
            do {
                try connection.withTransaction { transaction in
                    try transaction.executeScript(unsafeSQL: script)
                    try transaction.execute("""
                        INSERT INTO chat.schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))
                        """)
                }
            } catch {
                throw ChatStoreError.migrationFailed(file: migration.fileName, reason: String(describing: error))
            }
            appliedNow.append(migration)
        }
        return appliedNow
    }

    /// The migrator's own table (not part of any migration, so that a database migrated by hand
    /// with `psql -f` can still be handed to the migrator: every file is idempotent).
    static let bookkeepingSQL = """
        CREATE SCHEMA IF NOT EXISTS chat;
        CREATE TABLE IF NOT EXISTS chat.schema_migrations (
            version     integer PRIMARY KEY,
            name        text NOT NULL,
            applied_at  timestamptz NOT NULL DEFAULT now()
        );
        COMMENT ON TABLE chat.schema_migrations IS
            'The sql/NNN_name.sql files applied by chatctl migrate (created by the migrator itself).';
        COMMENT ON COLUMN chat.schema_migrations.version IS 'NNN of the file name.';
        COMMENT ON COLUMN chat.schema_migrations.name IS 'The rest of the file name, without .sql.';
        COMMENT ON COLUMN chat.schema_migrations.applied_at IS 'When it was applied.';
        """
}
