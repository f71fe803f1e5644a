import Foundation
import Postgres
import Testing
import TestSupport

/// Server errors arrive as `PostgresError` with their SQLSTATE and fields, and leave the
/// connection usable.
@Suite struct ServerErrorTests {
    @Test func uniqueViolationNamesItsConstraint() async throws {
        try await withConnection { conn throws in
            try conn.execute("CREATE TEMP TABLE people (email text CONSTRAINT people_email_key UNIQUE)")
            try conn.execute("INSERT INTO people VALUES (\("a@example.com"))")
            let error = try #require(throws: PostgresError.self) {
                try conn.execute("INSERT INTO people VALUES (\("a@example.com"))")
            }
            #expect(error.kind == .server)
            #expect(error.sqlState == "23505")
            #expect(error.isUniqueViolation)
            #expect(!error.isCheckViolation && !error.isConnectionLoss)
            #expect(error.constraint == "people_email_key")
            #expect(error.table == "people")
            #expect(error.detail?.contains("a@example.com") == true)
            #expect(!error.description.contains("a@example.com"), "row values stay out of description")
            #expect(error.debugDescription.contains("a@example.com"))
            #expect(try conn.scalar("SELECT 1 AS v", as: Int.self) == 1)
        }
    }

    @Test func checkViolationIsRecognized() async throws {
        try await withConnection { conn throws in
            try conn.execute("CREATE TEMP TABLE lengths (name text CONSTRAINT name_short CHECK (length(name) < 3))")
            let error = try #require(throws: PostgresError.self) {
                try conn.execute("INSERT INTO lengths VALUES (\("long name"))")
            }
            #expect(error.isCheckViolation)
            #expect(error.sqlState == "23514")
            #expect(error.constraint == "name_short")
        }
    }

    @Test func foreignKeyViolationIsRecognized() async throws {
        try await withConnection { conn throws in
            try conn.execute("CREATE TEMP TABLE parents (id int PRIMARY KEY)")
            try conn.execute("CREATE TEMP TABLE children (parent int REFERENCES parents)")
            let error = try #require(throws: PostgresError.self) {
                try conn.execute("INSERT INTO children VALUES (\(Int32(42)))")
            }
            #expect(error.isForeignKeyViolation)
            #expect(error.sqlState == "23503")
        }
    }

    @Test func raisedSerializationFailureIsRecognized() async throws {
        try await withConnection { conn throws in
            let error = try #require(throws: PostgresError.self) {
                try conn.executeScript(unsafeSQL: "DO $$ BEGIN RAISE EXCEPTION 'try again' USING ERRCODE = '40001'; END $$")
            }
            #expect(error.isSerializationFailure)
            #expect(error.message == "try again")
            #expect(!error.isConnectionLoss)
        }
    }

    @Test func concurrentSerializableUpdatesFailWithSerializationFailure() async throws {
        try await offloaded {
            let config = try environmentConfig()
            let first = try PostgresConnection.connect(config)
            let second = try PostgresConnection.connect(config)
            defer {
                first.close()
                second.close()
            }
            let table = "pg_serial_\(UInt32.random(in: 0...UInt32.max))"
            try first.execute("CREATE TABLE \(identifier: table) (id int PRIMARY KEY, n int)")
            defer { _ = try? first.execute("DROP TABLE \(identifier: table)") }
            try first.execute("INSERT INTO \(identifier: table) VALUES (1, 0)")
            try first.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            try second.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            _ = try first.query("SELECT n FROM \(identifier: table)")
            _ = try second.query("SELECT n FROM \(identifier: table)")
            try first.execute("UPDATE \(identifier: table) SET n = n + 1")
            try first.execute("COMMIT")
            let error = try #require(throws: PostgresError.self) {
                try second.execute("UPDATE \(identifier: table) SET n = n + 1")
            }
            #expect(error.sqlState == "40001")
            #expect(error.isSerializationFailure)
            try second.execute("ROLLBACK")
        }
    }

    @Test func syntaxErrorsCarryTheirSQLState() async throws {
        try await withConnection { conn throws in
            let error = try #require(throws: PostgresError.self) { try conn.query("SELEC 1") }
            #expect(error.sqlState == "42601")
            #expect(error.kind == .server)
        }
    }

    @Test func connectionLossHelperCoversShutdownCodes() {
        #expect(PostgresError(.server, "x", sqlState: "57P01").isConnectionLoss)
        #expect(PostgresError(.server, "x", sqlState: "08006").isConnectionLoss)
        #expect(PostgresError(.connection, "x").isConnectionLoss)
        #expect(!PostgresError(.server, "x", sqlState: "57014").isConnectionLoss)
        #expect(PostgresError(.server, "x", sqlState: "40P01").isSerializationFailure)
    }
}
