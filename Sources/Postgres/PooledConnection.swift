import CLibPQ
import Dispatch

/// One slot of the pool: a serial queue (so a thread of its own while it works, never a
/// cooperative-pool thread) and the connection that queue owns, opened lazily and replaced
/// when it breaks.
///
/// `@unchecked Sendable` is safe because `connection` is read and written only by blocks
/// running on `queue`, which is serial; the rest is immutable.
final class PooledConnection: @unchecked Sendable {
    private let queue: DispatchQueue
    private let config: PostgresConfig
    private let liveConnections: LiveConnectionCounter
    /// Touched only on `queue`.
    private var connection: PostgresConnection?

    init(id: Int, config: PostgresConfig, liveConnections: LiveConnectionCounter) {
        self.queue = DispatchQueue(label: "postgres.pool.connection-\(id)")
        self.config = config
        self.liveConnections = liveConnections
    }

    /// Runs `body` on this slot's queue with a healthy connection (connecting first if needed),
    /// then puts the session back to idle or drops the connection. Returns the outcome and
    /// whether a live connection remains.
    func run<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async -> (result: Result<T, any Error>, warm: Bool) {
        await withCheckedContinuation { continuation in
            queue.async {
                let result: Result<T, any Error>
                do {
                    let connection = try self.healthyConnection()
                    result = Result { try body(connection) }
                    self.resetOrDrop(connection, after: result)
                } catch {
                    result = .failure(error)
                }
                continuation.resume(returning: (result, self.connection != nil))
            }
        }
    }

    /// Closes the connection, if any, on the queue (after any work in progress).
    func close() {
        queue.async { self.drop() }
    }

    private func healthyConnection() throws -> PostgresConnection {
        if let connection {
            if connection.isHealthy { return connection }
            drop()
        }
        let connection = try PostgresConnection.connect(config)
        self.connection = connection
        liveConnections.add(1)
        return connection
    }

    /// Leaves the session idle for the next borrower: a transaction left open is rolled back;
    /// a connection that broke, or cannot be brought back to idle, is closed.
    private func resetOrDrop(_ connection: PostgresConnection, after result: Result<some Any, any Error>) {
        if case .failure(let error as PostgresError) = result, error.isConnectionLoss {
            drop()
            return
        }
        switch connection.transactionStatus {
        case PQTRANS_IDLE:
            return
        case PQTRANS_INTRANS, PQTRANS_INERROR:
            if (try? connection.execute("ROLLBACK")) == nil || connection.transactionStatus != PQTRANS_IDLE {
                drop()
            }
        default:
            drop()
        }
    }

    private func drop() {
        guard let connection else { return }
        connection.close()
        self.connection = nil
        liveConnections.add(-1)
    }
}
