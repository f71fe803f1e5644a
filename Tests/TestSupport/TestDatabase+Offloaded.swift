/// The fixtures for async tests: the same work as `create`, `drop` and `migrate`, done off the
/// cooperative pool (see `offloaded`). Prefer these in `async` tests.
///
/// ```swift
/// try await TestDatabase.with(migrated: true) { database in
///     let pool = PostgresPool(config: database.config)
///     defer { pool.close() }
///     ...
/// }
/// ```
extension TestDatabase {
    /// Creates a fresh database (as `create(migrated:)`), runs `body` with it, and drops it
    /// whether `body` returns or throws.
    public static func with<T>(
        migrated: Bool = true, _ body: (TestDatabase) async throws -> T
    ) async throws -> T {
        let database = try await createOffloaded(migrated: migrated)
        do {
            let result = try await body(database)
            await database.dropOffloaded()
            return result
        } catch {
            await database.dropOffloaded()
            throw error
        }
    }

    /// `create(migrated:)` on a thread of its own.
    public static func createOffloaded(migrated: Bool = true) async throws -> TestDatabase {
        try await offloaded { try create(migrated: migrated) }
    }

    /// `drop()` on a thread of its own.
    public func dropOffloaded() async {
        await offloaded { drop() }
    }

    /// `migrate(url:)` on a thread of its own.
    public static func migrateOffloaded(url: String) async throws {
        try await offloaded { try migrate(url: url) }
    }
}
