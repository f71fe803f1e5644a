import Foundation

/// `Date` to and from PostgreSQL's timestamp text, exact to the microsecond (PostgreSQL's
/// precision). Connections run with `TimeZone=UTC` and `DateStyle=ISO`, so `timestamptz` comes
/// back as `2026-11-25 12:00:00.123456+00`. Calendar arithmetic is done on integers (proleptic
/// Gregorian, as PostgreSQL), so no `Calendar` or locale is involved.
enum PostgresTimestamp {
    private static let microsPerSecond: Int64 = 1_000_000
    private static let secondsPerDay: Int64 = 86_400

    /// RFC 3339 in UTC with six fractional digits (`2026-11-25T12:00:00.123456Z`); years before
    /// 1 AD get PostgreSQL's ` BC` suffix.
    static func format(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1e6).rounded())
        let (seconds, fraction) = floorDivide(micros, microsPerSecond)
        let (days, secondOfDay) = floorDivide(seconds, secondsPerDay)
        let (year, month, day) = civil(fromDays: days)
        let isBC = year <= 0
        let text = "\(pad(isBC ? 1 - year : year, 4))-\(pad(month, 2))-\(pad(day, 2))T"
            + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
            + ".\(pad(fraction, 6))Z"
        return isBC ? text + " BC" : text
    }

    /// Parses `YYYY-MM-DD[( |T)HH:MM:SS[.ffffff]][Z|±HH[:MM[:SS]]][ BC]`: `timestamptz`,
    /// `timestamp` (read as UTC) and `date` output, and RFC 3339.
    static func parse(_ text: String) -> Date? {
        var reader = DigitReader(text)
        guard let year = reader.number(minDigits: 4), reader.skip("-"),
            let month = reader.number(digits: 2), reader.skip("-"),
            let day = reader.number(digits: 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var secondOfDay: Int64 = 0
        var fraction: Int64 = 0
        var offset: Int64 = 0
        if reader.skip(" ") || reader.skip("T") {
            guard let hour = reader.number(digits: 2), reader.skip(":"),
                let minute = reader.number(digits: 2), reader.skip(":"),
                let second = reader.number(digits: 2), hour <= 24, minute < 60, second < 61
            else { return nil }
            secondOfDay = hour * 3600 + minute * 60 + second
            if reader.skip(".") {
                guard let (digits, count) = reader.digits(), count <= 9 else { return nil }
                fraction = digits
                for _ in 0..<max(0, 6 - count) { fraction *= 10 }
                for _ in 0..<max(0, count - 6) { fraction /= 10 }
            }
            if reader.skip("Z") {
                offset = 0
            } else if let sign = reader.sign() {
                guard let hours = reader.number(digits: 2) else { return nil }
                var seconds = hours * 3600
                if reader.skip(":") {
                    guard let minutes = reader.number(digits: 2) else { return nil }
                    seconds += minutes * 60
                    if reader.skip(":") {
                        guard let extra = reader.number(digits: 2) else { return nil }
                        seconds += extra
                    }
                }
                offset = sign * seconds
            }
        }
        var astronomicalYear = year
        if reader.skip(" BC") { astronomicalYear = 1 - year }
        guard reader.isAtEnd else { return nil }
        let days = days(fromCivil: astronomicalYear, month, day)
        let micros = ((days * secondsPerDay + secondOfDay - offset) * microsPerSecond) + fraction
        return Date(timeIntervalSince1970: Double(micros) / 1e6)
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant, "chrono-compatible
    /// low-level date algorithms", days_from_civil).
    private static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The inverse of `days(fromCivil:)` (civil_from_days).
    private static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let quotient = value / divisor - (value % divisor < 0 ? 1 : 0)
        return (quotient, value - quotient * divisor)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// Reads ASCII digits and punctuation from the front of a string.
private struct DigitReader {
    private var bytes: ArraySlice<UInt8>

    init(_ text: String) { bytes = Array(text.utf8)[...] }

    var isAtEnd: Bool { bytes.isEmpty }

    mutating func skip(_ literal: String) -> Bool {
        let expected = Array(literal.utf8)
        guard bytes.starts(with: expected) else { return false }
        bytes = bytes.dropFirst(expected.count)
        return true
    }

    mutating func sign() -> Int64? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }

    /// A run of digits (at most 18) and how many there were.
    mutating func digits() -> (Int64, Int)? {
        var value: Int64 = 0
        var count = 0
        while let byte = bytes.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte), count < 18 {
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            count += 1
            bytes = bytes.dropFirst()
        }
        return count == 0 ? nil : (value, count)
    }

    mutating func number(digits expected: Int) -> Int64? {
        let saved = bytes
        guard let (value, count) = digits(), count == expected else {
            bytes = saved
            return nil
        }
        return value
    }

    mutating func number(minDigits: Int) -> Int64? {
        let saved = bytes
        guard let (value, count) = digits(), count >= minDigits else {
            bytes = saved
            return nil
        }
        return value
    }
}
