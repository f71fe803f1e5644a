import Postgres
import TestSupport

/// Direct SQL against a test database: to check what was stored, or to change things the API
/// cannot (expire a session, play a DBA). Each call opens and closes its own connection.
struct DatabaseProbe: Sendable {
    var config: PostgresConfig

    init(url: String) { config = PostgresConfig(url: url, applicationName: "tests") }

    /// The first column of the first row as text (nil for no row or NULL).
    func scalar(_ query: SQLQuery) throws -> String? {
        try rows(query).first.flatMap { row in row.first.flatMap { $0.value } }
    }

    /// Every row, each as column name -> text (the first column first when there is one).
    func rows(_ query: SQLQuery) throws -> [[String: String?]] {
        let connection = try PostgresConnection.connect(config)
        defer { connection.close() }
        let rows = try connection.query(query)
        if rows.columns.count == 1, let column = rows.columns.first {
            return rows.map { [column: $0[column]] }
        }
        return rows.map { row in Dictionary(uniqueKeysWithValues: rows.columns.map { ($0, row[$0]) }) }
    }

    @discardableResult
    func execute(_ query: SQLQuery) throws -> Int {
        let connection = try PostgresConnection.connect(config)
        defer { connection.close() }
        return try connection.execute(query)
    }
}

extension TestDatabase {
    func scalar(_ query: SQLQuery) throws -> String? { try DatabaseProbe(url: url).scalar(query) }
    func rows(_ query: SQLQuery) throws -> [[String: String?]] { try DatabaseProbe(url: url).rows(query) }
    @discardableResult
    func execute(_ query: SQLQuery) throws -> Int { try DatabaseProbe(url: url).execute(query) }
}
