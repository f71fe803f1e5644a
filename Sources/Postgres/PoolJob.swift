/// One caller's request to the pool, carried to whichever connection's queue serves it, so a
/// connection freed by one caller goes straight to the next on the connection's own thread:
/// hand-overs and `acquireTimeout` never depend on the cooperative thread pool being free.
struct PoolJob: Sendable {
    /// What running the caller's closure produced: the error it threw (the connection is
    /// dropped if that error means it broke), and how to answer the caller, which happens once
    /// the connection is back in the pool.
    typealias Outcome = (failure: (any Error)?, answer: @Sendable () -> Void)

    /// Runs the caller's closure with the connection, or passes on the error getting one.
    let run: @Sendable (Result<PostgresConnection, any Error>) -> Outcome
    /// Answers the caller with an error without running (timeout, cancellation, closed pool).
    let fail: @Sendable (any Error) -> Void

    /// A job that runs `body` and resumes `continuation` with its result.
    init<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T,
        answering continuation: CheckedContinuation<T, any Error>
    ) {
        run = { connection in
            let result = connection.flatMap { connection in Result { try body(connection) } }
            let failure: (any Error)? = if case .failure(let error) = result { error } else { nil }
            return (failure, { continuation.resume(with: result) })
        }
        fail = { error in continuation.resume(throwing: error) }
    }
}
