import CLibPQ
import Foundation

/// One PostgreSQL connection (a libpq `PGconn`). Every call blocks until the server answers.
///
/// > Important: not `Sendable`, and not for the cooperative thread pool. Use it from one thread
/// > at a time: the pool runs each of its connections on a serial queue of its own and lends it
/// > to a synchronous closure (`PostgresPool.withConnection`); `chatctl` and tests may own one
/// > directly.
///
/// Queries are parameterized only (`SQLQuery`); `executeScript(unsafeSQL:)` runs SQL files written by us.
public final class PostgresConnection {
    /// nil once closed.
    private var handle: OpaquePointer?
    let parameters: ConnectionParameters
    /// The statements prepared on this session; emptied when it closes.
    var statements = PreparedStatementCache()
    /// WARNINGs received so far (a `COMMIT` answered with one was not confirmed as replicated).
    let warnings = CommitWarnings()

    /// Takes ownership of a connected `PGconn`.
    init(handle: OpaquePointer, parameters: ConnectionParameters) {
        self.handle = handle
        self.parameters = parameters
        warnings.install(on: handle)
    }

    deinit {
        close()
    }

    /// Connects, waiting at most `config.connectTimeout` per attempt. The session runs with
    /// `TimeZone=UTC`, `DateStyle=ISO`, `client_encoding=UTF8` and `config.applicationName`.
    ///
    /// - Throws: `.configuration` for a malformed URL; `.connection` naming user, host, port
    ///   and database (never the password) when the server cannot be reached or refuses.
    public static func connect(_ config: PostgresConfig) throws -> PostgresConnection {
        let parameters = try ConnectionParameters.forConnecting(config)
        let handle = parameters.withCArrays { keywords, values in PQconnectdbParams(keywords, values, 0) }
        guard let handle else {
            throw PostgresError(.connection, "could not connect to \(parameters.endpoint): out of memory")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let reason = parameters.clean(String(cString: PQerrorMessage(handle)))
            PQfinish(handle)
            throw PostgresError(.connection, "could not connect to \(parameters.endpoint): \(reason)")
        }
        return PostgresConnection(handle: handle, parameters: parameters)
    }

    /// Runs one statement with its parameters (extended protocol, text format) and returns its rows.
    ///
    /// A statement with parameters is prepared once per connection and reused (see
    /// `PreparedStatementCache`); one without runs unnamed, so `BEGIN`, `SET LOCAL` or `LISTEN`
    /// take no room in the cache.
    ///
    /// - Throws: `.invalidParameter` before any I/O for a NUL byte in the SQL or a parameter;
    ///   `.server` with the SQLSTATE when the server rejects it; `.connection` when the
    ///   connection is closed or breaks.
    public func query(_ query: SQLQuery) throws -> PostgresRows {
        try withParameters(of: query) { values in
            guard !query.binds.isEmpty else { return try executeUnnamed(query, values: values) }
            return try queryPrepared(query, values: values)
        }
    }

    /// The first column of the first row as raw bytes, fetched in PostgreSQL's binary format: a
    /// `bytea` arrives as its bytes (not as hex text twice its size, decoded again here). For
    /// large values read often, like attachment chunks; nil for no row or NULL. The statement
    /// runs unnamed (parsed and planned per call: meant for a short one). Throws as `query(_:)`.
    public func binaryValue(_ query: SQLQuery) throws -> [UInt8]? {
        try withParameters(of: query) { values in
            try checked(unnamedResult(query, values: values, binaryResults: true)) { result in
                guard PQntuples(result) > 0, PQnfields(result) > 0, PQgetisnull(result, 0, 0) == 0 else { return nil }
                let length = Int(PQgetlength(result, 0, 0))
                return PQgetvalue(result, 0, 0).withMemoryRebound(to: UInt8.self, capacity: length) {
                    Array(UnsafeBufferPointer(start: $0, count: length))
                }
            }
        }
    }

    /// Validates `query` and calls `body` with its parameters as C strings (freed after).
    private func withParameters<T>(of query: SQLQuery, _ body: ([UnsafePointer<CChar>?]) throws -> T) throws -> T {
        _ = try openHandle()
        try Self.validate(query)
        let texts: [UnsafeMutablePointer<CChar>?] = query.binds.map { $0.text.flatMap { strdup($0) } }
        defer { texts.forEach { $0.map { free($0) } } }
        return try body(texts.map { $0.map { UnsafePointer($0) } })
    }

    /// Runs one statement and returns the number of rows it affected (0 when it has no count).
    /// - Throws: as `query(_:)`.
    @discardableResult
    public func execute(_ query: SQLQuery) throws -> Int {
        try self.query(query).affectedRows
    }

    /// Runs SQL text that may hold many statements (simple query protocol; no parameters), as
    /// `psql -f` would: for migrations and other SQL files of our own. Stops at the first error.
    /// Unless the script has its own `BEGIN`/`COMMIT`, its statements run as one transaction.
    /// - Throws: `.invalidParameter` for a NUL byte; else as `query(_:)`.
    public func executeScript(unsafeSQL sql: String) throws {
        let handle = try openHandle()
        guard !sql.utf8.contains(0) else {
            throw PostgresError(.invalidParameter, "the SQL script contains a NUL byte")
        }
        _ = try rows(from: PQexec(handle, sql))
    }

    /// Closes the connection. Idempotent; later calls throw `.connection`.
    public func close() {
        guard let handle else { return }
        self.handle = nil
        statements = PreparedStatementCache()
        PQfinish(handle)
    }

    /// Whether the connection is usable right now, checked without blocking: libpq's status is
    /// OK and the socket has not been closed by the server (as after `pg_terminate_backend` or a
    /// server restart, which an idle connection only notices when it reads).
    public var isHealthy: Bool {
        guard let handle, PQstatus(handle) == CONNECTION_OK else { return false }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        // A dead backend leaves an error message and then end-of-file: read until quiet.
        for _ in 0..<4 where poll(&descriptor, 1, 0) > 0 {
            guard PQconsumeInput(handle) == 1 else { return false }
            while let notification = PQnotifies(handle) { PQfreemem(notification) }
        }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// A setting the server reports on its own (`in_hot_standby`, `server_version`, ...), as
    /// of the last message read: no round trip. nil when closed or never reported.
    public func parameterStatus(_ name: String) -> String? {
        guard let handle, let value = PQparameterStatus(handle, name) else { return nil }
        return String(cString: value)
    }

    /// libpq's view of the session's transaction state.
    var transactionStatus: PGTransactionStatusType {
        handle.map { PQtransactionStatus($0) } ?? PQTRANS_UNKNOWN
    }

    /// The open `PGconn`, for the listener's notification loop (same thread as every other call).
    func openHandle() throws -> OpaquePointer {
        guard let handle else {
            throw PostgresError(.connection, "the connection to \(parameters.endpoint) is closed")
        }
        return handle
    }

    /// Checks what would otherwise be silently truncated at a NUL by libpq's C strings.
    private static func validate(_ query: SQLQuery) throws {
        if let problem = query.buildError {
            throw PostgresError(.invalidParameter, problem)
        }
        guard !query.sql.utf8.contains(0) else {
            throw PostgresError(.invalidParameter, "the SQL text contains a NUL byte")
        }
        guard query.binds.count <= Int(UInt16.max) else {
            throw PostgresError(
                .invalidParameter, "\(query.binds.count) parameters; PostgreSQL accepts at most 65535")
        }
        for (index, bind) in query.binds.enumerated() where bind.text?.utf8.contains(0) == true {
            throw PostgresError(
                .invalidParameter,
                "parameter $\(index + 1) contains a NUL byte (U+0000), which PostgreSQL text cannot store")
        }
    }

    /// Turns a result into rows or a `PostgresError`, and clears it.
    func rows(from result: OpaquePointer?) throws -> PostgresRows {
        try checked(result) { PostgresRows(copying: $0) }
    }

    /// Reads a successful result with `read` and frees it; a failed one becomes the error it
    /// carries (a lost connection, or the server's error with its fields).
    private func checked<T>(_ result: OpaquePointer?, _ read: (OpaquePointer) -> T) throws -> T {
        guard let result else { throw connectionFailure() }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return read(result)
        case PGRES_FATAL_ERROR:
            if let handle, PQstatus(handle) != CONNECTION_OK { throw connectionFailure(result) }
            throw serverError(result)
        default:
            // COPY and other streaming states are not supported; the session cannot be trusted.
            close()
            throw PostgresError(
                .invalidParameter,
                "unsupported statement result (\(String(cString: PQresStatus(PQresultStatus(result))))); the connection was closed")
        }
    }

    private func connectionFailure(_ result: OpaquePointer? = nil) -> PostgresError {
        let text = result.map { String(cString: PQresultErrorMessage($0)) }
            ?? handle.map { String(cString: PQerrorMessage($0)) } ?? "closed"
        return PostgresError(
            .connection, "connection to \(parameters.endpoint) lost: \(parameters.clean(text))",
            sqlState: field(result, "C"))
    }

    private func serverError(_ result: OpaquePointer) -> PostgresError {
        PostgresError(
            .server, field(result, "M") ?? parameters.clean(String(cString: PQresultErrorMessage(result))),
            sqlState: field(result, "C"), constraint: field(result, "n"), column: field(result, "c"),
            table: field(result, "t"), detail: field(result, "D"))
    }

    /// One diagnostic field of an error result (`PG_DIAG_*`, a one-letter code).
    private func field(_ result: OpaquePointer?, _ code: Unicode.Scalar) -> String? {
        guard let result, let value = PQresultErrorField(result, Int32(code.value)) else { return nil }
        return String(cString: value)
    }
}
