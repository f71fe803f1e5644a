import Foundation
@testable import Postgres
import Testing

/// `Date` and PostgreSQL timestamp text, exact to the microsecond.
@Suite struct TimestampTests {
    @Test func formatsRFC3339WithMicrosecondsInUTC() {
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000000Z")
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: -0.000001)) == "1969-12-31T23:59:59.999999Z")
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000000Z")
    }

    @Test func parsesServerOutputAndOffsets() {
        let noon = Date(timeIntervalSince1970: 1_795_608_000)
        #expect(PostgresTimestamp.parse("2026-11-25 12:00:00+00") == noon)
        #expect(PostgresTimestamp.parse("2026-11-25 12:00:00.5+00") == noon + 0.5)
        #expect(PostgresTimestamp.parse("2026-11-25 12:00:00.123456+00") == Date(timeIntervalSince1970: 1_795_608_000.123456))
        #expect(PostgresTimestamp.parse("2026-11-25 14:30:00+02:30") == noon)
        #expect(PostgresTimestamp.parse("2026-11-25T07:00:00-05") == noon)
        #expect(PostgresTimestamp.parse("2026-11-25T12:00:00Z") == noon)
        #expect(PostgresTimestamp.parse("2026-11-25 12:00:00") == noon)
        #expect(PostgresTimestamp.parse("2026-11-25") == noon - 43_200)
    }

    @Test func formatThenParseIsExact() {
        for seconds in [-62_135_596_800.0, -1.5, 0, 1_795_608_000.123456, 253_402_300_799.999999] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(PostgresTimestamp.parse(PostgresTimestamp.format(date)) == date, "\(seconds)")
        }
    }

    @Test func rejectsWhatIsNotATimestamp() {
        for text in ["", "infinity", "-infinity", "2026-13-01", "2026-11-25 25:00:00", "2026-11-25 12:00", "2026-11-25 12:00:00+", "yesterday", "2026-11-25 12:00:00 junk"] {
            #expect(PostgresTimestamp.parse(text) == nil, "\(text)")
        }
    }
}
