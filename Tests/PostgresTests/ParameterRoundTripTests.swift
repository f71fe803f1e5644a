import Foundation
import Postgres
import Testing

/// Values sent as parameters come back unchanged, through the server's own types.
@Suite struct ParameterRoundTripTests {
    @Test func stringsRoundTripUnchanged() async throws {
        let samples = ["", "plain", "Ünïcødé ✓", "emoji 👩‍👩‍👧‍👦🎉", "quote ' \" backslash \\", "line\nbreak\ttab",
                       "'); DROP TABLE x; --", String(repeating: "a", count: 1 << 20)]
        try await withConnection { conn throws in
            for sample in samples {
                #expect(try conn.scalar("SELECT \(sample)::text AS v", as: String.self) == sample)
            }
        }
    }

    @Test func durationsGoInAsIntervals() async throws {
        try await withConnection { conn throws in
            for (duration, seconds) in [(Duration.seconds(86_400), "86400.000000"), (.milliseconds(1500), "1.500000"),
                                        (.microseconds(7), "0.000007"), (.zero, "0.000000")] {
                #expect(try conn.scalar("SELECT extract(epoch FROM \(duration))::numeric(20, 6)::text AS v", as: String.self) == seconds)
            }
            #expect(try conn.scalar("SELECT now() - \(Duration.seconds(3600)) < now() AS v", as: Bool.self) == true)
        }
    }

    @Test func sqlInjectionTextIsStoredVerbatim() async throws {
        let attack = "'); DROP TABLE victims; --"
        try await withConnection { conn throws in
            try conn.execute("CREATE TEMP TABLE victims (name text)")
            try conn.execute("INSERT INTO victims (name) VALUES (\(attack))")
            #expect(try conn.scalar("SELECT name FROM victims", as: String.self) == attack)
            #expect(try conn.scalar("SELECT count(*) AS n FROM victims", as: Int.self) == 1)
        }
    }

    @Test func nullBindsAndDecodesAsNil() async throws {
        try await withConnection { conn throws in
            let missing: String? = nil
            #expect(try conn.scalar("SELECT \(missing)::text AS v", as: String?.self) == nil)
            #expect(try conn.scalar("SELECT \(Int?.none) IS NULL AS v", as: Bool.self))
            #expect(try conn.scalar(SQLQuery(unsafeSQL: "SELECT $1::int8 AS v", binds: [nil]), as: Int64?.self) == nil)
        }
    }

    @Test func integersRoundTripAtTheirLimits() async throws {
        try await withConnection { conn throws in
            for value in [Int64.min, -1, 0, 1, Int64.max] {
                #expect(try conn.scalar("SELECT \(value) AS v", as: Int64.self) == value)
                #expect(try conn.scalar("SELECT \(Int(value)) AS v", as: Int.self) == Int(value))
            }
            for value in [Int32.min, -7, Int32.max] {
                #expect(try conn.scalar("SELECT \(value) AS v", as: Int32.self) == value)
            }
        }
    }

    @Test func booleansAndDoublesRoundTrip() async throws {
        try await withConnection { conn throws in
            #expect(try conn.scalar("SELECT \(true) AS v", as: Bool.self) == true)
            #expect(try conn.scalar("SELECT \(false) AS v", as: Bool.self) == false)
            for value in [0.1, -2.5e-300, 1.7976931348623157e308, 3.141592653589793, .infinity, -.infinity] {
                #expect(try conn.scalar("SELECT \(value) AS v", as: Double.self) == value)
            }
            #expect(try conn.scalar("SELECT \(Double.nan) AS v", as: Double.self).isNaN)
        }
    }

    @Test func datesRoundTripToTheMicrosecond() async throws {
        let dates = [
            Date(timeIntervalSince1970: 1_795_608_000.123456),
            Date(timeIntervalSince1970: 0),
            Date(timeIntervalSince1970: -1.000001),
            Date(timeIntervalSince1970: 951_782_400.999999),  // 2000-02-29
            Date(timeIntervalSince1970: 4_102_444_800.5),  // 2100-01-01
        ]
        try await withConnection { conn throws in
            for date in dates {
                let back = try conn.scalar("SELECT \(date) AS v", as: Date.self)
                #expect(back == date, "\(date.timeIntervalSince1970) came back as \(back.timeIntervalSince1970)")
            }
        }
    }

    @Test func timestampTextFromTheServerDecodesExactly() async throws {
        try await withConnection { conn throws in
            let date = try conn.scalar(
                "SELECT timestamptz '2026-11-25 12:00:00.123456+00' AS v", as: Date.self)
            #expect(date == Date(timeIntervalSince1970: 1_795_608_000.123456))
            #expect(try conn.scalar("SELECT timestamptz '2026-11-25 12:00:00.123456+00' AS v", as: String.self)
                == "2026-11-25 12:00:00.123456+00")
            let bc = try conn.scalar("SELECT timestamptz '0044-03-15 00:00:00+00 BC' AS v", as: Date.self)
            #expect(try conn.scalar("SELECT \(bc) = timestamptz '0044-03-15 00:00:00+00 BC' AS v", as: Bool.self))
        }
    }

    @Test func uuidsRoundTripAndTravelLowercase() async throws {
        let uuid = UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")!
        try await withConnection { conn throws in
            #expect(try conn.scalar("SELECT \(uuid) AS v", as: UUID.self) == uuid)
            #expect(try conn.scalar("SELECT \(uuid)::text AS v", as: String.self)
                == "e621e1f8-c36c-495a-93fc-0c247a3e6e5f")
            let fromString = try conn.scalar(
                "SELECT \("e621e1f8-c36c-495a-93fc-0c247a3e6e5f") = \(uuid) AS v", as: Bool.self)
            #expect(fromString)
        }
    }

    @Test func awkwardStringArraysRoundTrip() async throws {
        let elements = ["", "plain", "with space", "com,ma", "{brace}", "\"quoted\"", "back\\slash",
                        "NULL", "null", " padded ", "é👍", "'); DROP TABLE x; --"]
        try await withConnection { conn throws in
            #expect(try conn.scalar("SELECT \(elements)::text[] AS v", as: [String].self) == elements)
            #expect(try conn.scalar("SELECT cardinality(\(elements)::text[]) AS v", as: Int.self) == elements.count)
            #expect(try conn.scalar("SELECT \([String]())::text[] AS v", as: [String].self) == [])
            let withNull: [String?] = ["a", nil, "NULL"]
            #expect(try conn.scalar("SELECT \(withNull)::text[] AS v", as: [String?].self) == withNull)
        }
    }

    @Test func typedArraysRoundTrip() async throws {
        let uuids = [UUID(), UUID()]
        let dates = [Date(timeIntervalSince1970: 1.5), Date(timeIntervalSince1970: 1_795_608_000.000001)]
        try await withConnection { conn throws in
            #expect(try conn.scalar("SELECT \([Int64.min, 0, Int64.max]) AS v", as: [Int64].self) == [.min, 0, .max])
            #expect(try conn.scalar("SELECT \([1, 2, 3]) AS v", as: [Int].self) == [1, 2, 3])
            #expect(try conn.scalar("SELECT \(uuids) AS v", as: [UUID].self) == uuids)
            #expect(try conn.scalar("SELECT \([true, false]) AS v", as: [Bool].self) == [true, false])
            #expect(try conn.scalar("SELECT \(dates) AS v", as: [Date].self) == dates)
            #expect(try conn.scalar("SELECT \([Int64]()) AS v", as: [Int64].self) == [])
            #expect(try conn.scalar("SELECT sum(x) AS v FROM unnest(\([1, 2, 3] as [Int64])) AS x", as: Int.self) == 6)
        }
    }

    @Test func byteaRoundTripsAsData() async throws {
        let bytes = Data([0, 1, 0x7f, 0x80, 0xff])
        try await withConnection { conn throws in
            #expect(try conn.scalar("SELECT \(bytes) AS v", as: Data.self) == bytes)
            #expect(try conn.scalar("SELECT \(Data()) AS v", as: Data.self) == Data())
            #expect(try conn.scalar("SELECT length(\(bytes)) AS v", as: Int.self) == 5)
        }
    }

    @Test func jsonbDecodesAsItsText() async throws {
        try await withConnection { conn throws in
            let json = try conn.scalar(#"SELECT jsonb_build_object('a', 1, 'b', \#("x\"y")::text) AS v"#, as: String.self)
            #expect(json == #"{"a": 1, "b": "x\"y"}"#)
        }
    }

    @Test func nulByteInAStringIsRejectedBeforeSending() async throws {
        try await withConnection { conn throws in
            let error = try #require(throws: PostgresError.self) {
                try conn.query("SELECT \("ok")::text, \("bad\u{0}value")::text")
            }
            #expect(error.kind == .invalidParameter)
            #expect(error.message.contains("$2"))
            #expect(!error.message.contains("bad"))
            #expect(throws: PostgresError.self) { try conn.query("SELECT \(["a\u{0}"])::text[]") }
            #expect(conn.isHealthy)
            #expect(try conn.scalar("SELECT 1 AS v", as: Int.self) == 1)
        }
    }

    @Test func identifiersAreQuoted() async throws {
        try await withConnection { conn throws in
            let name = "we\"ird table; DROP"
            try conn.execute("CREATE TEMP TABLE \(identifier: name) (v int)")
            try conn.execute("INSERT INTO \(identifier: name) VALUES (\(Int32(7)))")
            #expect(try conn.scalar("SELECT v FROM \(identifier: name)", as: Int32.self) == 7)
        }
    }
}

/// `binaryValue`: a column's raw bytes in PostgreSQL's binary format (attachment chunks).
@Suite struct BinaryValueTests {
    @Test("bytea comes back byte for byte (zeros, high bytes, 256 KiB); NULL and no row are nil; errors are thrown")
    func byteaBytes() async throws {
        let bytes = (0..<(256 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) } + [0, 0, 255, 92, 120]
        try await withConnection { conn throws in
            try conn.execute("CREATE TEMP TABLE blobs (id int PRIMARY KEY, bytes bytea)")
            try conn.execute("INSERT INTO blobs VALUES (1, \(Data(bytes))), (2, NULL), (3, ''::bytea)")
            #expect(try conn.binaryValue("SELECT bytes FROM blobs WHERE id = \(1)") == bytes)
            #expect(try conn.binaryValue("SELECT bytes FROM blobs WHERE id = \(2)") == nil)
            #expect(try conn.binaryValue("SELECT bytes FROM blobs WHERE id = \(3)") == [])
            #expect(try conn.binaryValue("SELECT bytes FROM blobs WHERE id = \(4)") == nil)
            #expect(throws: PostgresError.self) { try conn.binaryValue("SELECT bytes FROM no_such_table") }
            #expect(try conn.scalar("SELECT count(*) AS n FROM blobs", as: Int.self) == 3)  // still usable
        }
    }
}
