import Foundation
import Postgres
import Testing
import TestSupport

/// Connecting, session settings, scripts, health, and keeping passwords out of messages.
@Suite struct ConnectionTests {
    @Test func sessionRunsInUTCWithTheApplicationName() async throws {
        try await offloaded {
            var config = try environmentConfig()
            config.applicationName = "pg-app-name-test"
            let conn = try PostgresConnection.connect(config)
            defer { conn.close() }
            #expect(try conn.scalar("SHOW TimeZone", as: String.self) == "UTC")
            #expect(try conn.scalar("SHOW application_name", as: String.self) == "pg-app-name-test")
            #expect(try conn.scalar("SHOW client_encoding", as: String.self) == "UTF8")
        }
    }

    @Test func connectionFailureNamesTheEndpointButNeverThePassword() async throws {
        try await offloaded {
            let port = try unusedPort()
            let config = PostgresConfig(
                url: "postgres://alice:s3cr%40tpass@127.0.0.1:\(port)/orders", connectTimeout: .seconds(2))
            let error = try #require(throws: PostgresError.self) { try PostgresConnection.connect(config) }
            #expect(error.kind == .connection)
            #expect(error.isConnectionLoss)
            #expect(error.message.contains("127.0.0.1:\(port)/orders"))
            for text in [error.message, error.description, error.debugDescription, config.description] {
                #expect(!text.contains("s3cr"), "\(text)")
            }
            #expect(config.description == "alice@127.0.0.1:\(port)/orders")
        }
    }

    @Test func wrongPasswordErrorNeverQuotesIt() async throws {
        try await offloaded {
            let server = try environmentConfig()
            let admin = try PostgresConnection.connect(server)
            defer { admin.close() }
            let role = "pgtest_pw_\(UInt32.random(in: 0...UInt32.max))"
            try admin.execute("CREATE ROLE \(identifier: role) LOGIN PASSWORD 'right-password'")
            defer { _ = try? admin.execute("DROP ROLE \(identifier: role)") }
            // The dev and test servers trust loopback logins, so a wrong password still connects;
            // the point is that nothing we report echoes it back.
            let url = server.url.replacingOccurrences(of: "postgres@", with: "\(role):wr0ng-secret@")
            do {
                let conn = try PostgresConnection.connect(PostgresConfig(url: url + "?dbname=no_such_db_pg"))
                conn.close()
                Issue.record("connecting to a missing database should fail")
            } catch let error as PostgresError {
                #expect(error.kind == .connection)
                #expect(error.message.contains("no_such_db_pg"))
                #expect(!error.description.contains("wr0ng-secret"))
            }
        }
    }

    @Test func malformedURLIsAConfigurationError() {
        let config = PostgresConfig(url: "postgres://u:hunter2@127.0.0.1/db?no_such_option=1")
        let error = #expect(throws: PostgresError.self) { try PostgresConnection.connect(config) }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("no_such_option") == true)
        #expect(error?.description.contains("hunter2") == false)
        #expect(!config.description.contains("hunter2"))
    }

    @Test func executeReportsRowsAffected() async throws {
        try await withConnection { conn throws in
            try conn.execute("CREATE TEMP TABLE counted (n int)")
            #expect(try conn.execute("INSERT INTO counted SELECT generate_series(1, 5)") == 5)
            #expect(try conn.execute("UPDATE counted SET n = n + 1 WHERE n > \(Int32(2))") == 3)
            #expect(try conn.execute("DELETE FROM counted") == 5)
            #expect(try conn.execute("CREATE TEMP TABLE other (n int)") == 0)
        }
    }

    @Test func rowsExposeColumnsRawTextAndAccessByIndex() async throws {
        try await withConnection { conn throws in
            let rows = try conn.query("SELECT n, n * 2 AS double, NULL::text AS nothing FROM generate_series(1, 3) AS n")
            #expect(rows.count == 3)
            #expect(rows.columns == ["n", "double", "nothing"])
            #expect(rows[1]["double"] == "4")
            #expect(rows[1]["nothing"] == nil)
            #expect(rows[1]["missing"] == nil)
            #expect(try rows.map { try $0.decode("n", as: Int.self) } == [1, 2, 3])
            #expect(rows.commandTag == "SELECT 3")
        }
    }

    @Test func decodingErrorsNameTheColumnAndType() async throws {
        try await withConnection { conn throws in
            let row = try #require(try conn.query("SELECT 'abc'::text AS word, NULL::int AS empty, 3000000000::int8 AS big").first)
            let notInt = try #require(throws: PostgresError.self) { try row.decode("word", as: Int.self) }
            #expect(notInt.kind == .decoding)
            #expect(notInt.column == "word")
            #expect(notInt.message.contains("\"word\"") && notInt.message.contains("Int"))
            let null = try #require(throws: PostgresError.self) { try row.decode("empty", as: Int.self) }
            #expect(null.message.contains("NULL") && null.column == "empty")
            let overflow = try #require(throws: PostgresError.self) { try row.decode("big", as: Int32.self) }
            #expect(overflow.message.contains("out of range"))
            #expect(try row.decode("big", as: Int64.self) == 3_000_000_000)
            let missing = try #require(throws: PostgresError.self) { try row.decode("nope", as: String.self) }
            #expect(missing.message.contains("nope"))
            #expect(try row.decode("empty", as: Int?.self) == nil)
        }
    }

    @Test func arrayWithNullElementNeedsOptionalElements() async throws {
        try await withConnection { conn throws in
            let row = try #require(try conn.query("SELECT ARRAY['a', NULL]::text[] AS v").first)
            #expect(throws: PostgresError.self) { try row.decode("v", as: [String].self) }
            #expect(try row.decode("v", as: [String?].self) == ["a", nil])
        }
    }

    @Test func dateAndTimestampColumnsDecodeAsUTCDates() async throws {
        try await withConnection { conn throws in
            let row = try #require(try conn.query(
                "SELECT date '2026-11-25' AS day, timestamp '2026-11-25 12:00:00.5' AS local, 'infinity'::timestamptz AS forever").first)
            #expect(try row.decode("day", as: Date.self) == Date(timeIntervalSince1970: 1_795_564_800))
            #expect(try row.decode("local", as: Date.self) == Date(timeIntervalSince1970: 1_795_608_000.5))
            let error = try #require(throws: PostgresError.self) { try row.decode("forever", as: Date.self) }
            #expect(error.message.contains("infinite"))
        }
    }

    @Test func copyIsRefusedAndTheConnectionClosed() async throws {
        try await offloaded {
            let conn = try PostgresConnection.connect(environmentConfig())
            defer { conn.close() }
            let error = try #require(throws: PostgresError.self) { try conn.query("COPY (SELECT 1) TO STDOUT") }
            #expect(error.kind == .invalidParameter)
            #expect(!conn.isHealthy)
        }
    }

    @Test func scriptsRunManyStatementsAndStopAtTheFirstError() async throws {
        try await withConnection { conn throws in
            try conn.executeScript(unsafeSQL: """
                CREATE TEMP TABLE script_a (n int);
                INSERT INTO script_a VALUES (1);
                INSERT INTO script_a VALUES (2);
                """)
            #expect(try conn.scalar("SELECT sum(n) AS v FROM script_a", as: Int.self) == 3)
            #expect(throws: PostgresError.self) {
                try conn.executeScript(unsafeSQL: "INSERT INTO script_a VALUES (3); SELECT broken syntax here; INSERT INTO script_a VALUES (4);")
            }
            #expect(try conn.scalar("SELECT sum(n) AS v FROM script_a", as: Int.self) == 3, "the script ran as one transaction")
        }
    }

    @Test func closedConnectionIsUnhealthyAndThrows() async throws {
        try await offloaded {
            let conn = try PostgresConnection.connect(environmentConfig())
            #expect(conn.isHealthy)
            conn.close()
            #expect(!conn.isHealthy)
            let error = try #require(throws: PostgresError.self) { try conn.query("SELECT 1") }
            #expect(error.kind == .connection)
        }
    }

    @Test func terminatedBackendMakesConnectionUnhealthy() async throws {
        try await offloaded {
            let victim = try PostgresConnection.connect(environmentConfig())
            defer { victim.close() }
            let pid = try victim.scalar("SELECT pg_backend_pid() AS v", as: Int32.self)
            try withConnection { admin in
                _ = try admin.query("SELECT pg_terminate_backend(\(pid), 5000)")
            }
            #expect(!victim.isHealthy)
            let error = try #require(throws: PostgresError.self) { try victim.query("SELECT 1") }
            #expect(error.isConnectionLoss)
        }
    }

    @Test func withTransactionCommitsOrRollsBack() async throws {
        try await withConnection { conn throws in
            try conn.execute("CREATE TEMP TABLE tx (n int)")
            try conn.withTransaction { try $0.execute("INSERT INTO tx VALUES (1)") }
            struct Boom: Error {}
            #expect(throws: Boom.self) {
                try conn.withTransaction { conn in
                    try conn.execute("INSERT INTO tx VALUES (2)")
                    throw Boom()
                }
            }
            #expect(try conn.scalar("SELECT array_agg(n) AS v FROM tx", as: [Int].self) == [1])
        }
    }

    @Test func swallowedStatementErrorMakesCommitThrow() async throws {
        try await withConnection { conn throws in
            try conn.execute("CREATE TEMP TABLE tx2 (n int)")
            let error = try #require(throws: PostgresError.self) {
                try conn.withTransaction { conn in
                    try conn.execute("INSERT INTO tx2 VALUES (1)")
                    _ = try? conn.execute("SELECT 1/0")
                }
            }
            #expect(error.sqlState == "25P02")
            #expect(try conn.scalar("SELECT count(*) AS v FROM tx2", as: Int.self) == 0)
        }
    }
}

/// A loopback port with no listener (bound, read back, released).
func unusedPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
        }
    }
    try #require(bound)
    return Int(UInt16(bigEndian: address.sin_port))
}
