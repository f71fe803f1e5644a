import Foundation

/// A Swift value that can be sent as a query parameter, in PostgreSQL's text format.
///
/// Conformers: `String`, `Int`, `Int32`, `Int64`, `Bool`, `Double`, `Date` (timestamptz),
/// `UUID`, `Data` (bytea), arrays of those (array literals), and `Optional` of any (NULL).
public protocol PostgresBindable: Sendable {
    /// The value in PostgreSQL's text input format; nil means SQL NULL.
    var postgresText: String? { get }
    /// The type OID sent with the parameter; 0 lets the server infer it from the query.
    static var postgresTypeOID: UInt32 { get }
}

/// A type that can be an element of an array parameter (`[String]`, `[Int64]`, `[UUID]`...).
public protocol PostgresArrayElement: PostgresBindable {
    /// The OID of the array type whose elements are this type (0: infer from the query).
    static var postgresArrayTypeOID: UInt32 { get }
}

extension String: PostgresArrayElement {
    public var postgresText: String? { self }
    public static var postgresTypeOID: UInt32 { 0 }
    public static var postgresArrayTypeOID: UInt32 { 0 }
}

extension Int: PostgresArrayElement {
    public var postgresText: String? { String(self) }
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.int8 }
    public static var postgresArrayTypeOID: UInt32 { PostgresTypeOID.int8Array }
}

extension Int64: PostgresArrayElement {
    public var postgresText: String? { String(self) }
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.int8 }
    public static var postgresArrayTypeOID: UInt32 { PostgresTypeOID.int8Array }
}

extension Int32: PostgresArrayElement {
    public var postgresText: String? { String(self) }
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.int4 }
    public static var postgresArrayTypeOID: UInt32 { PostgresTypeOID.int4Array }
}

extension Bool: PostgresArrayElement {
    public var postgresText: String? { self ? "t" : "f" }
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.bool }
    public static var postgresArrayTypeOID: UInt32 { PostgresTypeOID.boolArray }
}

extension Double: PostgresArrayElement {
    /// Shortest text that reads back as the same `Double`; `Infinity`, `-Infinity`, `NaN` as
    /// PostgreSQL spells them.
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return description
    }
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.float8 }
    public static var postgresArrayTypeOID: UInt32 { PostgresTypeOID.float8Array }
}

extension Date: PostgresArrayElement {
    /// RFC 3339 in UTC with microseconds (PostgreSQL's precision), e.g. `2026-11-25T12:00:00.123456Z`.
    public var postgresText: String? { PostgresTimestamp.format(self) }
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.timestamptz }
    public static var postgresArrayTypeOID: UInt32 { PostgresTypeOID.timestamptzArray }
}

extension UUID: PostgresArrayElement {
    /// Lowercase, as PostgreSQL prints it.
    public var postgresText: String? { uuidString.lowercased() }
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.uuid }
    public static var postgresArrayTypeOID: UInt32 { PostgresTypeOID.uuidArray }
}

extension Data: PostgresArrayElement {
    /// bytea's hex format: `\x` and two lowercase hex digits per byte.
    public var postgresText: String? { PostgresHex.encode(self) }
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.bytea }
    public static var postgresArrayTypeOID: UInt32 { PostgresTypeOID.byteaArray }
}

extension Optional: PostgresBindable where Wrapped: PostgresBindable {
    /// nil is SQL NULL.
    public var postgresText: String? { self?.postgresText }
    public static var postgresTypeOID: UInt32 { Wrapped.postgresTypeOID }
}

extension Optional: PostgresArrayElement where Wrapped: PostgresArrayElement {
    public static var postgresArrayTypeOID: UInt32 { Wrapped.postgresArrayTypeOID }
}

extension Array: PostgresBindable where Element: PostgresArrayElement {
    /// A one-dimensional array literal: `{"a","b\"c",NULL}`; every element quoted, NULL unquoted.
    public var postgresText: String? { PostgresArrayLiteral.encode(map(\.postgresText)) }
    public static var postgresTypeOID: UInt32 { Element.postgresArrayTypeOID }
}
