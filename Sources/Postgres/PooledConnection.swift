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

    /// Runs `job` on this slot's queue with a healthy connection (connecting first if
    /// needed), puts the session back to idle or drops the connection, hands the slot back
    /// through `release` (with whether a live connection remains), then answers the caller.
    func execute(_ job: PoolJob, then release: @escaping @Sendable (PooledConnection, _ warm: Bool) -> Void) {
        queue.async {
            let (failure, answer) = job.run(Result { try self.healthyConnection() })
            if let connection = self.connection {
                self.resetOrDrop(connection, after: failure)
            }
            release(self, self.connection != nil)
            answer()
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
    private func resetOrDrop(_ connection: PostgresConnection, after failure: (any Error)?) {
        if let error = failure as? PostgresError, error.isConnectionLoss {
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
