/// One bind parameter as it goes to the server: its text form (nil is NULL) and its type OID
/// (0 lets the server infer the type from the query).
public struct PostgresBind: Sendable, Hashable {
    /// The value in PostgreSQL's text input format, or nil for NULL.
    public var text: String?
    /// The parameter's type OID, or 0 for "infer from the query".
    public var typeOID: UInt32

    /// A parameter from its parts.
    public init(text: String?, typeOID: UInt32) {
        self.text = text
        self.typeOID = typeOID
    }

    /// Encodes `value` (nil is NULL, sent untyped).
    public init(_ value: (any PostgresBindable)?) {
        self.text = value?.postgresText
        self.typeOID = value.map { type(of: $0).postgresTypeOID } ?? 0
    }
}
