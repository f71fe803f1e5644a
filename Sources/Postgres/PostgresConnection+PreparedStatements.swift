import CLibPQ

extension PostgresConnection {
    /// Runs a statement that has parameters as a named prepared statement of this connection,
    /// preparing it on first use, so the server parses and plans it once instead of every time.
    ///
    /// A cached statement the server no longer accepts after a schema change (SQLSTATE `0A000`,
    /// "cached plan must not change result type", or `26000`, the statement is gone) is dropped,
    /// prepared again and run once more; but only outside a transaction: inside one, the failure
    /// has already aborted it, so the error is thrown and the next call prepares afresh.
    func queryPrepared(_ query: SQLQuery, values: [UnsafePointer<CChar>?]) throws -> PostgresRows {
        let key = PreparedStatementCache.Key(sql: query.sql, typeOIDs: query.binds.map(\.typeOID))
        if let name = statements.name(for: key) {
            do {
                return try executePrepared(name, values: values)
            } catch let error as PostgresError where Self.isStale(error) {
                statements.remove(key, stillOnServer: error.sqlState != "26000")
                guard transactionStatus == PQTRANS_IDLE else { throw error }
            }
        }
        deallocateDroppedStatements()
        guard statements.hasRoom else {
            return try executeUnnamed(query, values: values)
        }
        let name = statements.nextName()
        let handle = try openHandle()
        let types = query.binds.map(\.typeOID)
        _ = try rows(from: PQprepare(handle, name, query.sql, Int32(types.count), types))
        statements.insert(name, for: key)
        return try executePrepared(name, values: values)
    }

    /// Runs `sql` as the unnamed statement (parsed and planned for this call only).
    func executeUnnamed(_ query: SQLQuery, values: [UnsafePointer<CChar>?]) throws -> PostgresRows {
        try rows(from: unnamedResult(query, values: values, binaryResults: false))
    }

    /// The raw result of `query` run as the unnamed statement, its columns in text or binary
    /// format; the caller reads and frees it (`rows(from:)`, `checked`).
    func unnamedResult(_ query: SQLQuery, values: [UnsafePointer<CChar>?], binaryResults: Bool) throws -> OpaquePointer? {
        let handle = try openHandle()
        let types = query.binds.map(\.typeOID)
        return PQexecParams(handle, query.sql, Int32(types.count), types, values, nil, nil, binaryResults ? 1 : 0)
    }

    private func executePrepared(_ name: String, values: [UnsafePointer<CChar>?]) throws -> PostgresRows {
        let handle = try openHandle()
        return try rows(from: PQexecPrepared(handle, name, Int32(values.count), values, nil, nil, 0))
    }

    /// Frees the server-side statements dropped from the cache while `DEALLOCATE` was refused
    /// (in a failed transaction). Only when idle: a `DEALLOCATE` that fails there aborts nothing.
    private func deallocateDroppedStatements() {
        guard !statements.namesToDeallocate.isEmpty, transactionStatus == PQTRANS_IDLE,
            let handle = try? openHandle()
        else { return }
        for name in statements.namesToDeallocate {
            _ = try? rows(from: PQexec(handle, "DEALLOCATE \(SQLQuery.quoteIdentifier(name))"))
        }
        statements.clearNamesToDeallocate()
    }

    /// The errors a cached statement gets when the server can no longer run it as prepared.
    private static func isStale(_ error: PostgresError) -> Bool {
        error.kind == .server && (error.sqlState == "0A000" || error.sqlState == "26000")
    }
}
