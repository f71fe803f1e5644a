import Dispatch
import Synchronization

/// A fixed-size pool of connections for async code.
///
/// Each connection lives on a serial queue of its own; `withConnection` runs your synchronous
/// closure there and awaits the result, so libpq's blocking calls never occupy the cooperative
/// thread pool.
///
/// ```swift
/// let pool = PostgresPool(config: try .fromEnvironment(), maxConnections: 10)
/// let names = try await pool.withConnection { conn in
///     try conn.query("SELECT name FROM chat.users WHERE active").map { try $0.decode("name", as: String.self) }
/// }
/// ```
///
/// - Connections open lazily, so a service can start while the database is down; then each
///   call fails after at most `connectTimeout` with a `.connection` error.
/// - Callers beyond `maxConnections` wait in FIFO order, at most `acquireTimeout`, then get
///   `.poolTimeout`.
/// - A connection that broke is closed and replaced on the next use; one that died while idle
///   (server restart, `pg_terminate_backend`) is detected before it is lent.
/// - After each use the session must be idle: an open transaction is rolled back. Do not
///   change session settings (use `SET LOCAL` inside a transaction), and never `LISTEN` on a
///   pooled connection (use `PostgresListener`).
public final class PostgresPool: Sendable {
    /// Where the connections go.
    public let config: PostgresConfig
    /// The most connections this pool opens.
    public let maxConnections: Int
    /// How long a caller waits for a free connection before `.poolTimeout`.
    public let acquireTimeout: Duration

    private let state: Mutex<PoolStateMachine<PooledConnection, PoolJob>>
    private let liveConnections = LiveConnectionCounter()
    private let nextID = Atomic<Int>(0)

    /// - Parameters:
    ///   - config: where to connect.
    ///   - maxConnections: the fixed maximum (at least 1).
    ///   - acquireTimeout: the longest a caller waits for a free connection (default 5 s).
    public init(config: PostgresConfig, maxConnections: Int = 10, acquireTimeout: Duration = .seconds(5)) {
        self.config = config
        self.maxConnections = max(1, maxConnections)
        self.acquireTimeout = acquireTimeout
        self.state = Mutex(PoolStateMachine(maxConnections: max(1, maxConnections)))
    }

    /// Lends a connection to `body`, run on the connection's own thread, and returns its result.
    ///
    /// - Throws: what `body` throws; `.poolTimeout`, `.poolClosed`, `.connection` (cannot
    ///   connect), `CancellationError` if the task is cancelled while waiting.
    @discardableResult
    public func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        let id = nextID.add(1, ordering: .relaxed).newValue
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let job = PoolJob(body, answering: continuation)
                if Task.isCancelled {
                    job.fail(CancellationError())
                    return
                }
                switch state.withLock({ $0.acquire(id: id, waiter: job) }) {
                case .lend(let slot):
                    execute(job, on: slot)
                case .createSlot:
                    execute(job, on: PooledConnection(id: id, config: config, liveConnections: liveConnections))
                case .wait:
                    scheduleTimeout(forWaiter: id)
                case .failClosed:
                    job.fail(closedError)
                }
            }
        } onCancel: {
            state.withLock { $0.removeWaiter(id: id) }?.fail(CancellationError())
        }
    }

    /// Runs `body` inside `BEGIN` ... `COMMIT` on a pooled connection; rolls back if it throws.
    /// - Throws: as `withConnection`, and the `COMMIT`'s error (e.g. a deferred constraint).
    @discardableResult
    public func withTransaction<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await withConnection { connection in try connection.withTransaction(body) }
    }

    /// Runs one query on a pooled connection.
    public func query(_ query: SQLQuery) async throws -> PostgresRows {
        try await withConnection { connection in try connection.query(query) }
    }

    /// Runs one statement on a pooled connection; returns the rows affected.
    @discardableResult
    public func execute(_ query: SQLQuery) async throws -> Int {
        try await withConnection { connection in try connection.execute(query) }
    }

    /// Counts for `/metrics`.
    public var stats: PostgresPoolStats {
        let open = liveConnections.value
        return state.withLock { machine in
            PostgresPoolStats(
                open: open, idle: machine.warmIdleCount, inUse: machine.leased,
                waiters: machine.waiters.count, maxConnections: maxConnections)
        }
    }

    /// Fails the waiting callers with `.poolClosed` and closes the connections (those in use
    /// when they come back). Later calls fail with `.poolClosed`. Does not block.
    public func close() {
        let (idle, waiters) = state.withLock { $0.close() }
        idle.forEach { $0.close() }
        waiters.forEach { $0.fail(closedError) }
    }

    private var closedError: PostgresError {
        PostgresError(.poolClosed, "the connection pool for \(config) is closed")
    }

    private func execute(_ job: PoolJob, on slot: PooledConnection) {
        slot.execute(job) { [weak self] slot, warm in self?.giveBack(slot, warm: warm) }
    }

    private func scheduleTimeout(forWaiter id: Int) {
        DispatchQueue.global().asyncAfter(deadline: .now() + acquireTimeout.dispatchInterval) { [weak self] in
            guard let self, let job = self.state.withLock({ $0.removeWaiter(id: id) }) else { return }
            job.fail(
                PostgresError(
                    .poolTimeout,
                    "no connection to \(self.config) became free within \(self.acquireTimeout.readable) "
                        + "(all \(self.maxConnections) in use)"))
        }
    }

    private func giveBack(_ slot: PooledConnection, warm: Bool) {
        switch state.withLock({ $0.release(slot, warm: warm) }) {
        case .none:
            break
        case .lend(let slot, let job):
            execute(job, on: slot)
        case .closeSlot(let slot):
            slot.close()
        }
    }
}
