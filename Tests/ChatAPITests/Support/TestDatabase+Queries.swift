import Postgres
import TestSupport

/// Direct SQL against a test database: to check what was stored, or to change things the API
/// cannot (expire a session, play a DBA). Each call opens and closes its own connection, on a
/// thread of its own (`offloaded`): a blocking libpq call on the cooperative pool would stall
/// the other tests, and one waiting for a lock would stall them for good.
struct DatabaseProbe: Sendable {
    var config: PostgresConfig

    init(url: String) { config = PostgresConfig(url: url, applicationName: "tests") }

    /// The first column of the first row as text (nil for no row or NULL).
    func scalar(_ query: SQLQuery) async throws -> String? {
        try await rows(query).first.flatMap { row in row.first.flatMap { $0.value } }
    }

    /// Every row, each as column name -> text.
    func rows(_ query: SQLQuery) async throws -> [[String: String?]] {
        let config = self.config
        return try await offloaded {
            let connection = try PostgresConnection.connect(config)
            defer { connection.close() }
            let rows = try connection.query(query)
            return rows.map { row in Dictionary(uniqueKeysWithValues: rows.columns.map { ($0, row[$0]) }) }
        }
    }

    @discardableResult
    func execute(_ query: SQLQuery) async throws -> Int {
        let config = self.config
        return try await offloaded {
            let connection = try PostgresConnection.connect(config)
            defer { connection.close() }
            return try connection.execute(query)
        }
    }
}

extension TestDatabase {
    func scalar(_ query: SQLQuery) async throws -> String? { try await DatabaseProbe(url: url).scalar(query) }
    func rows(_ query: SQLQuery) async throws -> [[String: String?]] { try await DatabaseProbe(url: url).rows(query) }
    @discardableResult
    func execute(_ query: SQLQuery) async throws -> Int { try await DatabaseProbe(url: url).execute(query) }
}
