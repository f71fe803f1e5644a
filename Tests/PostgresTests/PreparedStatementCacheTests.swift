import CLibPQ
import Foundation
@testable import Postgres
import Testing
import TestSupport

/// Statements with parameters are prepared once per connection and reused; the cache survives
/// schema changes, failed prepares and transactions, and stays within its bound.
@Suite struct PreparedStatementCacheTests {
    @Test func repeatedQueryIsPreparedOnceAndReused() async throws {
        try await withConnection { conn throws in
            for number in 1...5 {
                #expect(try conn.scalar("SELECT \(number) + 1 AS v", as: Int.self) == number + 1)
            }
            #expect(try conn.preparedStatementTexts() == ["SELECT $1 + 1 AS v"])
            #expect(conn.statements.count == 1)
        }
    }

    @Test func statementsWithoutParametersAreNotPrepared() async throws {
        try await withConnection { conn throws in
            try conn.withTransaction { conn in
                try conn.execute("SET LOCAL statement_timeout = '5s'")
                _ = try conn.query("SELECT 1 AS v")
            }
            try conn.execute("LISTEN prep_cache_test")
            #expect(try conn.preparedStatementTexts().isEmpty)
            #expect(conn.statements.count == 0)
        }
    }

    @Test func sameTextWithOtherParameterTypesIsAnotherStatement() async throws {
        try await withConnection { conn throws in
            let sql = "SELECT $1::text AS v"
            #expect(try conn.scalar(SQLQuery(unsafeSQL: sql, binds: [42]), as: String.self) == "42")
            // Sent untyped: had it reused the bigint statement, "abc" would be rejected.
            #expect(try conn.scalar(SQLQuery(unsafeSQL: sql, binds: ["abc"]), as: String.self) == "abc")
            #expect(try conn.scalar(SQLQuery(unsafeSQL: sql, binds: [7]), as: String.self) == "7")
            #expect(try conn.preparedStatementTexts() == [sql, sql])
            #expect(conn.statements.count == 2)
        }
    }

    @Test func failingPrepareThrowsTheServerErrorAndCachesNothing() async throws {
        try await withConnection { conn throws in
            let missing = try #require(throws: PostgresError.self) {
                try conn.query("SELECT * FROM prep_no_such_table WHERE id = \(1)")
            }
            #expect(missing.kind == .server)
            #expect(missing.sqlState == "42P01")
            #expect(missing.message.contains("prep_no_such_table"))
            let syntax = try #require(throws: PostgresError.self) {
                try conn.query("SELEC \(1)")
            }
            #expect(syntax.sqlState == "42601")
            #expect(conn.statements.count == 0)
            #expect(try conn.preparedStatementTexts().isEmpty)
            #expect(try conn.scalar("SELECT \(2) * 2 AS v", as: Int.self) == 4)
        }
    }

    @Test func columnAddedUnderCachedSelectStarIsPreparedAgainAndRetried() async throws {
        try await withConnection { conn throws in
            try conn.execute("CREATE TEMP TABLE prep_items (id int)")
            try conn.execute("INSERT INTO prep_items VALUES (1)")
            let select: SQLQuery = "SELECT * FROM prep_items WHERE id = \(Int32(1))"
            #expect(try conn.query(select).columns == ["id"])
            try conn.execute("ALTER TABLE prep_items ADD COLUMN name text DEFAULT 'first'")
            let rows = try conn.query(select)
            #expect(rows.columns == ["id", "name"])
            #expect(rows.first?["name"] == "first")
            #expect(try conn.preparedStatementTexts() == [select.sql], "the stale statement is deallocated")
            #expect(conn.statements.count == 1)
        }
    }

    @Test func statementDeallocatedBehindTheCacheIsPreparedAgain() async throws {
        try await withConnection { conn throws in
            #expect(try conn.scalar("SELECT \(1) AS v", as: Int.self) == 1)
            try conn.execute("DEALLOCATE ALL")
            #expect(try conn.scalar("SELECT \(2) AS v", as: Int.self) == 2)
            #expect(try conn.preparedStatementTexts() == ["SELECT $1 AS v"])
        }
    }

    @Test func staleStatementInsideTransactionThrowsAndTheNextCallRecovers() async throws {
        try await withConnection { conn throws in
            try conn.execute("CREATE TEMP TABLE prep_rows (id int)")
            let select: SQLQuery = "SELECT * FROM prep_rows WHERE id > \(Int32(0))"
            _ = try conn.query(select)
            try conn.execute("ALTER TABLE prep_rows ADD COLUMN extra int")
            try conn.execute("BEGIN")
            let error = try #require(throws: PostgresError.self) { try conn.query(select) }
            #expect(error.sqlState == "0A000")
            #expect(conn.transactionStatus == PQTRANS_INERROR, "no retry inside the failed transaction")
            try conn.execute("ROLLBACK")
            let columns = try conn.withTransaction { conn in try conn.query(select).columns }
            #expect(columns == ["id", "extra"])
            // The stale statement is freed at the next prepare outside a transaction, where a
            // failing DEALLOCATE can abort nothing.
            #expect(try conn.preparedStatementTexts() == [select.sql, select.sql])
            _ = try conn.query("SELECT \(1) AS v")
            #expect(try conn.preparedStatementTexts() == [select.sql, "SELECT $1 AS v"])
        }
    }

    @Test func statementPreparedInRolledBackTransactionIsStillReused() async throws {
        try await withConnection { conn throws in
            try conn.execute("BEGIN")
            #expect(try conn.scalar("SELECT \(1) + 10 AS v", as: Int.self) == 11)
            try conn.execute("ROLLBACK")
            #expect(try conn.scalar("SELECT \(2) + 10 AS v", as: Int.self) == 12)
            #expect(try conn.preparedStatementTexts() == ["SELECT $1 + 10 AS v"])
            #expect(conn.statements.count == 1)
        }
    }

    @Test func failingPrepareInsideTransactionAbortsItAndCachesNothing() async throws {
        try await withConnection { conn throws in
            try conn.execute("BEGIN")
            let error = try #require(throws: PostgresError.self) {
                try conn.query("SELECT * FROM prep_missing WHERE id = \(1)")
            }
            #expect(error.sqlState == "42P01")
            #expect(conn.transactionStatus == PQTRANS_INERROR)
            try conn.execute("ROLLBACK")
            #expect(conn.statements.count == 0)
            #expect(try conn.scalar("SELECT \(3) AS v", as: Int.self) == 3)
        }
    }

    @Test func cacheStopsGrowingAtItsCapacityAndStillAnswers() async throws {
        try await withConnection { conn throws in
            let capacity = PreparedStatementCache.defaultCapacity
            for number in 0..<(capacity + 20) {
                let sum = try conn.scalar(SQLQuery(unsafeSQL: "SELECT $1::int + \(number) AS v", binds: [1]), as: Int.self)
                #expect(sum == number + 1)
            }
            #expect(conn.statements.count == capacity)
            #expect(try conn.preparedStatementTexts().count == capacity)
            // Cached ones are still reused past the bound.
            #expect(try conn.scalar(SQLQuery(unsafeSQL: "SELECT $1::int + 0 AS v", binds: [5]), as: Int.self) == 5)
            #expect(try conn.preparedStatementTexts().count == capacity)
        }
    }

    @Test func closedConnectionForgetsItsStatementsAndANewOneStartsEmpty() async throws {
        try await offloaded {
            let config = try environmentConfig()
            let first = try PostgresConnection.connect(config)
            _ = try first.query("SELECT \(1) AS v")
            #expect(first.statements.count == 1)
            first.close()
            #expect(first.statements.count == 0)
            let second = try PostgresConnection.connect(config)
            defer { second.close() }
            #expect(second.statements.count == 0)
            #expect(try second.scalar("SELECT \(4) AS v", as: Int.self) == 4)
        }
    }
}

extension PostgresConnection {
    /// The SQL of the statements this session has prepared, from the server's own view
    /// (queried without parameters, so the query itself is not prepared).
    fileprivate func preparedStatementTexts() throws -> [String] {
        try query("SELECT statement FROM pg_prepared_statements ORDER BY prepare_time, name")
            .map { $0["statement"] ?? "" }
    }
}
