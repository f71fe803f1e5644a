import HTTP
import Postgres

/// The request handlers' door to PostgreSQL: runs synchronous SQL on a pooled connection and
/// turns every database failure into the error a client should see.
///
/// - An `APIError` thrown inside the body (a 404 found halfway through a transaction) passes
///   through unchanged, after the rollback.
/// - Losing the database (connection refused or broken, server shutting down, no free
///   connection within the acquire timeout, a lock wait past `lock_timeout`) is 503
///   `unavailable`: the pool reconnects by itself, so the client may retry.
/// - Anything else is a bug on our side: logged with its SQLSTATE, answered with a generic 500.
struct Database: Sendable {
    let pool: PostgresPool
    let logger: Logger

    /// Runs `body` on one connection, outside any explicit transaction.
    func run<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        do {
            return try await pool.withConnection(body)
        } catch {
            throw translate(error)
        }
    }

    /// Runs `body` in one transaction (rolled back if it throws).
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        do {
            return try await pool.withTransaction(body)
        } catch {
            throw translate(error)
        }
    }

    /// True when a trivial query answers (the readiness probe).
    func isReachable() async -> Bool {
        (try? await pool.withConnection { connection in try connection.query("SELECT 1").count }) == 1
    }

    func translate(_ error: any Error) -> any Error {
        if error is APIError { return error }
        if let failure = error as? PostgresError {
            if failure.isUnavailability {
                logger.warning("database unavailable", ["error": .string(failure.description)])
                return APIError.unavailable()
            }
            logger.error("database error", ["error": .string(failure.description)])
            return APIError.internalError()
        }
        if error is CancellationError { return APIError.unavailable() }
        return error
    }
}

extension PostgresError {
    /// Failures that say "the database cannot serve right now", not "this request is wrong":
    /// the client should retry later (503). `55P03` is a lock wait that passed `lock_timeout`,
    /// `53300` too many connections, `57014` a statement cancelled by `statement_timeout`,
    /// `25006` a write on a server that just became a standby (a switchover), and a commit no
    /// synchronous standby confirmed (the client retries with its `client_id`).
    var isUnavailability: Bool {
        isConnectionLoss || kind == .poolTimeout || kind == .poolClosed || kind == .commitNotConfirmed
            || ["55P03", "53300", "57014", "25006"].contains(sqlState ?? "")
    }
}
