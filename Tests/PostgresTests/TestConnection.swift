import Foundation
import TestSupport
import Postgres

/// The server every database test uses: `DATABASE_URL`, whose absence fails the test.
func environmentConfig() throws -> PostgresConfig {
    var config = try PostgresConfig.fromEnvironment(applicationName: "PostgresTests")
    config.connectTimeout = .seconds(5)
    return config
}

/// Opens a connection to `DATABASE_URL`, runs `body`, closes it.
func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
    let connection = try PostgresConnection.connect(environmentConfig())
    defer { connection.close() }
    return try body(connection)
}

extension PostgresConnection {
    /// The single value of a one-row, one-column query.
    func scalar<T: PostgresDecodable>(_ query: SQLQuery, as type: T.Type = T.self) throws -> T {
        let rows = try self.query(query)
        guard rows.count == 1, let column = rows.columns.first else {
            throw PostgresError(.decoding, "expected one row with a column, got \(rows.count) rows")
        }
        return try rows[0].decode(column, as: T.self)
    }
}

/// Runs slow blocking work (initdb, pg_ctl, CREATE DATABASE) on a thread of its own and awaits
/// it, so it does not hold one of the few cooperative threads that every async test shares.
func offloaded<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// A fresh database (migrated or not) for `body`, created and dropped off the cooperative pool.
func withFreshDatabase<T: Sendable>(
    migrated: Bool = false, _ body: (TestDatabase) async throws -> T
) async throws -> T {
    let database = try await offloaded { try TestDatabase.create(migrated: migrated) }
    do {
        let result = try await body(database)
        try await offloaded { database.drop() }
        return result
    } catch {
        try await offloaded { database.drop() }
        throw error
    }
}
