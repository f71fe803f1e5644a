import Dispatch
import HTTP
import Postgres
import Synchronization

/// Gathers concurrent sends and writes them in one transaction per batch (the group commit):
/// one commit, one WAL flush and one NOTIFY for many messages, where one transaction per
/// message would hit the ceiling of NOTIFY's commit lock.
///
/// One loop owns one connection (its own pool of one, so it never queues behind request
/// handlers). While a batch commits, the next one gathers in the queue; when the loop finds the
/// queue empty it waits for the first send and then, if the last batch held more than one send
/// (there is concurrency to gather), up to `window` more or until `maxBatch` are waiting. With a
/// single sender there is nothing to gather and no window is added to its latency.
///
/// Every caller is answered after the commit with its own result or its own error. Durable:
/// `synchronous_commit` is left as the server has it.
final class GroupCommitter: Sendable {
    private struct Pending {
        let request: SendRequest
        let continuation: CheckedContinuation<SendOutcome, any Error>
    }

    private struct State {
        var queue: [Pending] = []
        /// The loop, parked until `queue.count >= wakeAt` (or a timeout, or a stop).
        var parked: CheckedContinuation<Void, Never>?
        var wakeAt = 1
        var parkGeneration = 0
        var stopping = false
    }

    private let pool: PostgresPool
    /// For rows whose conversation another writer holds: written apart, waiting for the lock.
    private let waitingPool: PostgresPool
    private let maxBatch: Int
    private let window: Duration
    private let logger: Logger
    private let metrics: CommitMetrics
    private let state = Mutex(State())
    private let loop = Mutex<Task<Void, Never>?>(nil)

    init(pool: PostgresPool, waitingPool: PostgresPool, maxBatch: Int, window: Duration, logger: Logger, metrics: CommitMetrics) {
        self.pool = pool
        self.waitingPool = waitingPool
        self.maxBatch = max(1, maxBatch)
        self.window = window
        self.logger = logger
        self.metrics = metrics
    }

    func start() {
        loop.withLock { task in
            guard task == nil else { return }
            task = Task.detached { [self] in await run() }
        }
    }

    /// Stops taking sends (later ones get 503), writes what is queued, and returns when the
    /// loop has finished.
    func shutdown() async {
        let parked = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.stopping = true
            defer { state.parked = nil }
            return state.parked
        }
        parked?.resume()
        await loop.withLock { $0 }?.value
    }

    /// Queues `request` for the next batch and waits for its commit.
    func submit(_ request: SendRequest) async throws -> SendOutcome {
        try await withCheckedThrowingContinuation { continuation in
            let (accepted, wake) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
                guard !state.stopping else { return (false, nil) }
                state.queue.append(Pending(request: request, continuation: continuation))
                guard state.queue.count >= state.wakeAt, let parked = state.parked else { return (true, nil) }
                state.parked = nil
                return (true, parked)
            }
            guard accepted else {
                continuation.resume(throwing: APIError.unavailable("the service is shutting down"))
                return
            }
            wake?.resume()
        }
    }

    // MARK: - The loop

    private func run() async {
        var lastBatchSize = 0
        while true {
            let wasIdle = await park(until: 1, timeout: nil)
            if wasIdle, lastBatchSize > 1, window > .zero {
                _ = await park(until: maxBatch, timeout: window)
            }
            let batch = state.withLock { state -> [Pending] in
                let count = min(maxBatch, state.queue.count)
                defer { state.queue.removeFirst(count) }
                return Array(state.queue.prefix(count))
            }
            if batch.isEmpty {
                if state.withLock({ $0.stopping && $0.queue.isEmpty }) { return }
                continue
            }
            lastBatchSize = batch.count
            await commit(batch)
        }
    }

    /// Waits until `count` sends are queued (or the timeout passes, or a stop). Returns true
    /// when it had to wait at all.
    private func park(until count: Int, timeout: Duration?) async -> Bool {
        var waited = false
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let generation = state.withLock { state -> Int? in
                guard state.queue.count < count, !state.stopping else { return nil }
                state.parked = continuation
                state.wakeAt = count
                state.parkGeneration += 1
                return state.parkGeneration
            }
            guard let generation else {
                continuation.resume()
                return
            }
            waited = true
            guard let timeout else { return }
            let (seconds, attoseconds) = timeout.components
            let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [self] in
                let expired = state.withLock { state -> CheckedContinuation<Void, Never>? in
                    guard state.parkGeneration == generation, let parked = state.parked else { return nil }
                    state.parked = nil
                    return parked
                }
                expired?.resume()
            }
        }
        return waited
    }

    private func commit(_ batch: [Pending]) async {
        let started = ContinuousClock.now
        let results = await write(batch.map(\.request))
        metrics.recordBatch(size: batch.count, duration: ContinuousClock.now - started)
        var busy: [Pending] = []
        for (pending, result) in zip(batch, results) {
            switch result {
            case .done(let outcome):
                if case .created = outcome { metrics.messagesStored.increment() }
                pending.continuation.resume(returning: outcome)
            case .failed(let error):
                pending.continuation.resume(throwing: error)
            case .busy:
                busy.append(pending)
            }
        }
        if !busy.isEmpty {
            metrics.busyRows.increment(by: busy.count)
            Task.detached { [self] in await writeWaiting(busy) }
        }
    }

    /// The batch in one transaction; on a deadlock or serialization failure, again (a few
    /// times); on a row-specific failure, row by row.
    private func write(_ requests: [SendRequest]) async -> [SendRowResult] {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await pool.withConnection { connection in
                    try BatchWriter.write(requests, waitForLocks: false, on: connection)
                }
            } catch let error as PostgresError where error.isSerializationFailure && attempt < 3 {
                continue
            } catch let error as PostgresError where error.isUnavailability {
                logger.warning("send batch failed: database unavailable", ["error": .string(error.description), "size": .int(requests.count)])
                return requests.map { _ in .failed(.unavailable()) }
            } catch {
                guard requests.count > 1 else { return [.failed(BatchWriter.rowFailure(error, logger: logger))] }
                metrics.splitBatches.increment()
                logger.warning("send batch failed; writing its rows one by one", ["error": .string(String(describing: error)), "size": .int(requests.count)])
                let logger = self.logger
                do {
                    return try await pool.withConnection { connection in BatchWriter.writeEach(requests, on: connection, logger: logger) }
                } catch {
                    return requests.map { _ in .failed(BatchWriter.rowFailure(error, logger: logger)) }
                }
            }
        }
    }

    /// Rows whose conversation was locked by another writer: one transaction per conversation
    /// that waits for the lock (at most `lock_timeout`, then 503).
    private func writeWaiting(_ pending: [Pending]) async {
        let byConversation = Dictionary(grouping: pending, by: \.request.conversationID)
        for (_, group) in byConversation {
            let requests = group.map(\.request)
            let logger = self.logger
            let results: [SendRowResult]
            do {
                results = try await waitingPool.withConnection { connection in
                    try BatchWriter.write(requests, waitForLocks: true, on: connection)
                }
            } catch {
                results = requests.map { _ in .failed(BatchWriter.rowFailure(error, logger: logger)) }
            }
            for (item, result) in zip(group, results) {
                switch result {
                case .done(let outcome):
                    if case .created = outcome { metrics.messagesStored.increment() }
                    item.continuation.resume(returning: outcome)
                case .failed(let error):
                    item.continuation.resume(throwing: error)
                case .busy:
                    item.continuation.resume(throwing: APIError.unavailable("the conversation is busy; retry"))
                }
            }
        }
    }
}
