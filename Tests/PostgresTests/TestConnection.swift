import Foundation
import TestSupport
import Postgres

/// The server every database test uses: `DATABASE_URL`, whose absence fails the test.
func environmentConfig() throws -> PostgresConfig {
    var config = try PostgresConfig.fromEnvironment(applicationName: "PostgresTests")
    config.connectTimeout = .seconds(5)
    return config
}

/// Opens a connection to `DATABASE_URL`, runs `body`, closes it (for code that is already on
/// a thread of its own, such as a pool's closure).
func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
    let connection = try PostgresConnection.connect(environmentConfig())
    defer { connection.close() }
    return try body(connection)
}

/// The same from an async test: connecting, `body` and closing run off the cooperative pool.
func withConnection<T>(_ body: (PostgresConnection) throws -> T) async throws -> T {
    try await offloaded { try withConnection(body) }
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
