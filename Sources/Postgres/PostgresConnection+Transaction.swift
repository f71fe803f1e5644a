extension PostgresConnection {
    /// Runs `body` between `BEGIN` and `COMMIT`; on any thrown error, `ROLLBACK` and rethrow.
    ///
    /// A `COMMIT` that fails (a deferred constraint, a serialization failure) throws. So does a
    /// `COMMIT` that PostgreSQL turned into a rollback because a statement inside failed and
    /// `body` swallowed the error (SQLSTATE `25P02`): work is never silently lost. A `COMMIT`
    /// answered with a WARNING throws `.commitNotConfirmed`: with synchronous replication that
    /// is the cancelled wait for the standby (see `CommitWarnings`); the transaction is then
    /// visible on this server but may be lost in a failover, so it must not be acknowledged.
    @discardableResult
    public func withTransaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try execute("BEGIN")
        let result: T
        do {
            result = try body(self)
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
        let warningsBefore = warnings.count
        let commit = try query("COMMIT")
        if warnings.count != warningsBefore {
            throw PostgresError(
                .commitNotConfirmed,
                "COMMIT was answered with a warning (\(warnings.lastMessage ?? "no message")): committed here, not confirmed by a synchronous standby")
        }
        guard commit.commandTag != "ROLLBACK" else {
            throw PostgresError(
                .server, "the transaction was rolled back at COMMIT because a statement in it had failed",
                sqlState: "25P02")
        }
        return result
    }
}
