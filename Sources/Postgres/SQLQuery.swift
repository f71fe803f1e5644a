/// A SQL statement and its bind parameters. Built by string interpolation, where every
/// interpolated value becomes a `$n` parameter sent separately from the SQL text, so a value can
/// never change the statement:
///
/// ```swift
/// let rows = try conn.query("SELECT id FROM chat.users WHERE email = \(email) AND active = \(true)")
/// // SQL: SELECT id FROM chat.users WHERE email = $1 AND active = $2
/// ```
///
/// Parameters go in PostgreSQL's text format. `String` and `[String]` parameters are sent
/// untyped, so the server takes their type from the query (a `String` can fill a `text`, `uuid`,
/// `jsonb` or enum column); every other type is sent typed (`Int` as `bigint`, `Date` as
/// `timestamptz`, `[Int64]` as `bigint[]`, ...). Where the query gives a string no context, cast
/// it: `unnest(\(names)::text[])`.
///
/// The only ways to put text into the SQL itself are `init(unsafeSQL:)`, `init(unsafeSQL:binds:)`
/// and `\(unsafeSQL:)`, for SQL written by the programmer (grep for `unsafeSQL:` to find them all),
/// and `\(identifier:)`, which quotes a name as a SQL identifier.
public struct SQLQuery: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The SQL text, with `$1`, `$2`... where the parameters go.
    public private(set) var sql: String
    /// The parameters, in order (`$1` first).
    public private(set) var binds: [PostgresBind]
    /// A problem found while building (an identifier with a NUL byte), thrown before any I/O.
    var buildError: String?

    /// SQL text written by the programmer, with no parameters. Never pass text that came from
    /// outside the program: that is what interpolation is for.
    public init(unsafeSQL sql: String) {
        self.sql = sql
        self.binds = []
    }

    /// SQL text written by the programmer with explicit `$n` placeholders, and their values
    /// (`nil` is NULL), for statements shared by several queries as text. The values still go
    /// separately from the text; the label marks the text as trusted.
    ///
    /// ```swift
    /// SQLQuery(unsafeSQL: "SELECT * FROM chat.messages WHERE conversation_id = $1 AND seq > $2", binds: [id, after])
    /// ```
    public init(unsafeSQL sql: String, binds: [(any PostgresBindable)?]) {
        self.sql = sql
        self.binds = binds.map { PostgresBind($0) }
    }

    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.binds = stringInterpolation.binds
        self.buildError = stringInterpolation.buildError
    }

    /// The SQL text and the number of parameters; never the parameter values.
    public var description: String {
        "\(sql) [\(binds.count) parameter\(binds.count == 1 ? "" : "s")]"
    }

    /// Collects the SQL text and turns each interpolated value into the next `$n`.
    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var binds: [PostgresBind] = []
        var buildError: String?

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + 4 * interpolationCount)
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// Appends `value` as the next bind parameter (`Optional.none` is NULL).
        public mutating func appendInterpolation<Value: PostgresBindable>(_ value: Value) {
            binds.append(PostgresBind(value))
            sql += "$\(binds.count)"
        }

        /// Appends `value` as the next bind parameter; nil is NULL.
        public mutating func appendInterpolation<Value: PostgresBindable>(_ value: Value?) {
            binds.append(PostgresBind(text: value?.postgresText, typeOID: Value.postgresTypeOID))
            sql += "$\(binds.count)"
        }

        /// Appends `fragment` to the SQL text as it is: SQL written by the programmer (a shared
        /// select list, a keyword chosen by a flag), never a value.
        public mutating func appendInterpolation(unsafeSQL fragment: String) {
            sql += fragment
        }

        /// Appends `name` as a quoted SQL identifier (`"my ""odd"" name"`), for the places SQL
        /// takes no parameter: table, database and channel names.
        public mutating func appendInterpolation(identifier name: String) {
            if name.utf8.contains(0) { buildError = "an identifier contains a NUL byte" }
            sql += SQLQuery.quoteIdentifier(name)
        }
    }

    /// `name` quoted as a SQL identifier: wrapped in double quotes, inner quotes doubled.
    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacing("\"", with: "\"\"") + "\""
    }
}
