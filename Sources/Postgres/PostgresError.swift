/// Every failure the `Postgres` module reports: a value with a kind and, for server errors, the
/// SQLSTATE and the fields PostgreSQL sends (message, constraint, column, table).
///
/// Why a struct and not an enum: callers test `kind` and the `is…` helpers, and new kinds can be
/// added without breaking anyone's `switch` (the shape of postgres-nio's `PSQLError`).
///
/// `description` is meant for logs: it names the kind, the SQLSTATE, the server's primary message
/// and the constraint, and never contains a password or a bound parameter value. The server's
/// `detail` (which can quote row values, e.g. the duplicate key) appears only in
/// `debugDescription`. What an HTTP client sees is decided elsewhere, never from this text.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong, broadly. Extensible: compare with `==` or the static members.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// Could not connect, or the connection broke (server gone, socket closed, timeout).
        public static let connection = Kind("connection")
        /// The server rejected a statement; `sqlState` says why.
        public static let server = Kind("server")
        /// A column's value could not be decoded as the requested Swift type.
        public static let decoding = Kind("decoding")
        /// A value or query text cannot be sent (a NUL byte, too many parameters); nothing was sent.
        public static let invalidParameter = Kind("invalidParameter")
        /// No pooled connection became free within the pool's acquire timeout.
        public static let poolTimeout = Kind("poolTimeout")
        /// The pool was closed.
        public static let poolClosed = Kind("poolClosed")
        /// The configuration is unusable (no `DATABASE_URL`, a malformed URL).
        public static let configuration = Kind("configuration")
        /// `COMMIT` succeeded on this server with a WARNING (a cancelled wait for the synchronous
        /// standby): visible here, but not confirmed as replicated, so a failover may lose it.
        public static let commitNotConfirmed = Kind("commitNotConfirmed")

        public var description: String { name }
    }

    /// What went wrong, broadly.
    public var kind: Kind
    /// The five-character SQLSTATE for server errors (e.g. `23505`), else nil.
    public var sqlState: String?
    /// A human-readable message (the server's primary message for server errors).
    public var message: String
    /// The constraint that was violated, when the server names one.
    public var constraint: String?
    /// The column concerned: the server's column field, or the column being decoded.
    public var column: String?
    /// The table concerned, when the server names one.
    public var table: String?
    /// The server's detail line. It may quote row values: kept out of `description`.
    public var detail: String?

    /// Makes an error; the module's own code uses this, and tests may too.
    public init(
        _ kind: Kind, _ message: String, sqlState: String? = nil, constraint: String? = nil,
        column: String? = nil, table: String? = nil, detail: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.constraint = constraint
        self.column = column
        self.table = table
        self.detail = detail
    }

    /// `23505`: a unique constraint or unique index rejected the row.
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// `23514`: a `CHECK` constraint rejected the row.
    public var isCheckViolation: Bool { sqlState == "23514" }
    /// `23503`: a foreign key rejected the row (or the delete of a referenced row).
    public var isForeignKeyViolation: Bool { sqlState == "23503" }
    /// `40001` or `40P01`: serialization failure or deadlock; the transaction may be retried.
    public var isSerializationFailure: Bool { sqlState == "40001" || sqlState == "40P01" }
    /// The connection is gone (kind `.connection`, SQLSTATE class `08`, or `57P01`...`57P03`,
    /// the server shutting down or not yet accepting connections). Such a connection is discarded.
    public var isConnectionLoss: Bool {
        if kind == .connection { return true }
        guard let sqlState else { return false }
        return sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlState)
    }

    public var description: String {
        var text = "PostgresError(\(kind)"
        if let sqlState { text += " \(sqlState)" }
        text += "): \(message)"
        if let constraint { text += " [constraint \(constraint)]" }
        if let table { text += " [table \(table)]" }
        if let column { text += " [column \(column)]" }
        return text
    }

    public var debugDescription: String {
        guard let detail else { return description }
        return description + " [detail \(detail)]"
    }
}
