import Foundation

/// A Swift type a column can be decoded into, from PostgreSQL's text output format.
///
/// Conformers: `String` (any column, e.g. `jsonb` as its JSON text), `Int`, `Int64`, `Int32`,
/// `Bool`, `Double`, `Date` (`timestamptz`, `timestamp` as UTC, `date`), `UUID`, `Data`
/// (`bytea`), arrays of those (one-dimensional), and `Optional` of any (NULL is nil).
public protocol PostgresDecodable: Sendable {
    /// Decodes a non-NULL value from its text form.
    /// - Throws: any error; the row wraps it in a `PostgresError` of kind `.decoding` that
    ///   names the column and this type.
    init(postgresText text: String) throws

    /// The value SQL NULL decodes to, or nil when this type has none (NULL then throws).
    static var postgresNullValue: Self? { get }
}

extension PostgresDecodable {
    public static var postgresNullValue: Self? { nil }
}

/// Why a value's text could not become the requested type (wrapped into `PostgresError`).
struct DecodingProblem: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

extension String: PostgresDecodable {
    public init(postgresText text: String) { self = text }
}

extension Int64: PostgresDecodable {
    public init(postgresText text: String) throws {
        self = try IntegerText.parse(text, as: Int64.self)
    }
}

extension Int: PostgresDecodable {
    public init(postgresText text: String) throws {
        self = try IntegerText.parse(text, as: Int.self)
    }
}

extension Int32: PostgresDecodable {
    public init(postgresText text: String) throws {
        self = try IntegerText.parse(text, as: Int32.self)
    }
}

extension Bool: PostgresDecodable {
    /// `t`/`f` as PostgreSQL prints booleans (also `true`/`false`).
    public init(postgresText text: String) throws {
        switch text {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw DecodingProblem("not a boolean (expected t or f)")
        }
    }
}

extension Double: PostgresDecodable {
    public init(postgresText text: String) throws {
        switch text {
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        case "NaN": self = .nan
        default:
            guard let value = Double(text), value.isFinite else { throw DecodingProblem("not a number") }
            self = value
        }
    }
}

extension Date: PostgresDecodable {
    public init(postgresText text: String) throws {
        guard let date = PostgresTimestamp.parse(text) else {
            throw DecodingProblem(
                text.hasSuffix("infinity") ? "infinite timestamps have no Date" : "not a timestamp")
        }
        self = date
    }
}

extension UUID: PostgresDecodable {
    public init(postgresText text: String) throws {
        guard let uuid = UUID(uuidString: text) else { throw DecodingProblem("not a UUID") }
        self = uuid
    }
}

extension Data: PostgresDecodable {
    /// bytea's hex output (`\x0a1b...`).
    public init(postgresText text: String) throws {
        guard let data = PostgresHex.decode(text) else { throw DecodingProblem("not bytea hex output") }
        self = data
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresText text: String) throws {
        self = try Wrapped(postgresText: text)
    }
    public static var postgresNullValue: Self? { .some(nil) }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    /// A one-dimensional array literal; a NULL element decodes only into an optional element type.
    public init(postgresText text: String) throws {
        let elements: [String?]
        do {
            elements = try PostgresArrayLiteral.parse(text)
        } catch {
            throw DecodingProblem(error.reason)
        }
        self = try elements.enumerated().map { index, element in
            guard let element else {
                guard let null = Element.postgresNullValue else {
                    throw DecodingProblem("element \(index + 1) is NULL; decode as [\(Element.self)?]")
                }
                return null
            }
            do {
                return try Element(postgresText: element)
            } catch let problem as DecodingProblem {
                throw DecodingProblem("element \(index + 1): \(problem.reason)")
            }
        }
    }
}

/// Integer text to a fixed-width integer, telling "too large" apart from "not a number".
enum IntegerText {
    static func parse<Value: FixedWidthInteger>(_ text: String, as type: Value.Type) throws -> Value {
        if let value = Value(text) { return value }
        let digits = text.utf8.drop(while: { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") })
        let isInteger = text.utf8.count - digits.count <= 1 && !digits.isEmpty
            && digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        throw DecodingProblem(isInteger ? "value out of range for \(Value.self)" : "not an integer")
    }
}
