import Foundation
@testable import Postgres
import Testing

/// Building queries: values become numbered parameters, never SQL text.
@Suite struct SQLQueryTests {
    @Test func interpolatedValuesBecomeNumberedParameters() {
        let name = "x'); DROP TABLE users; --"
        let query: SQLQuery = "SELECT * FROM t WHERE name = \(name) AND n > \(5) AND ok = \(true)"
        #expect(query.sql == "SELECT * FROM t WHERE name = $1 AND n > $2 AND ok = $3")
        #expect(query.binds.map(\.text) == [name, "5", "t"])
        #expect(query.binds.map(\.typeOID) == [0, 20, 16])
        #expect(!query.description.contains("DROP"), "values never appear in the description")
    }

    @Test func optionalNilBindsNullKeepingItsType() {
        let missing: Int64? = nil
        let query: SQLQuery = "SELECT \(missing)"
        #expect(query.binds == [PostgresBind(text: nil, typeOID: 20)])
    }

    @Test func explicitBindsKeepTheirOrder() {
        let query = SQLQuery(unsafeSQL: "SELECT $2, $1", binds: [1, nil, "a"])
        #expect(query.binds.map(\.text) == ["1", nil, "a"])
    }

    @Test func literalOnlyQueriesHaveNoParameters() {
        let query: SQLQuery = "SELECT 1"
        #expect(query.sql == "SELECT 1" && query.binds.isEmpty)
        #expect(SQLQuery(unsafeSQL: "SELECT $1").binds.isEmpty)
    }

    @Test func identifiersAreDoubleQuotedWithQuotesDoubled() {
        let query: SQLQuery = "LISTEN \(identifier: #"chat"events"#)"
        #expect(query.sql == #"LISTEN "chat""events""#)
        #expect(query.buildError == nil)
        let bad: SQLQuery = "LISTEN \(identifier: "a\u{0}b")"
        #expect(bad.buildError != nil)
    }

    @Test func scalarsUseTextFormats() {
        #expect(UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")!.postgresText
            == "e621e1f8-c36c-495a-93fc-0c247a3e6e5f")
        #expect(Date(timeIntervalSince1970: 1_795_608_000.123456).postgresText == "2026-11-25T12:00:00.123456Z")
        #expect(Data([0, 0xAB]).postgresText == #"\x00ab"#)
        #expect(Double.infinity.postgresText == "Infinity")
        #expect((-Double.infinity).postgresText == "-Infinity")
        #expect(Double.nan.postgresText == "NaN")
        #expect(Int64.min.postgresText == "-9223372036854775808")
    }

    @Test func passwordsAreRemovedFromMessages() throws {
        let parameters = try ConnectionParameters.parse("postgres://bob:p%40ss-word@db.example:6543/app")
        #expect(parameters.endpoint == "bob@db.example:6543/app")
        let cleaned = parameters.clean("failed for p@ss-word and p%40ss-word\n\tsecond line")
        #expect(cleaned == "failed for *** and *** second line")
    }

    @Test func connectingParametersForceUTCAndKeepURLOptions() throws {
        let config = PostgresConfig(
            url: "postgres://u@h/db?options=-c%20statement_timeout%3D5s&application_name=ignored",
            connectTimeout: .milliseconds(1500), applicationName: "chat-api")
        let parameters = try ConnectionParameters.forConnecting(config)
        let settings = Dictionary(zip(parameters.keywords, parameters.values), uniquingKeysWith: { $1 })
        #expect(settings["options"] == "-c statement_timeout=5s -c TimeZone=UTC -c DateStyle=ISO,YMD")
        #expect(settings["application_name"] == "chat-api")
        #expect(settings["connect_timeout"] == "2")
        #expect(settings["client_encoding"] == "UTF8")
    }
}
