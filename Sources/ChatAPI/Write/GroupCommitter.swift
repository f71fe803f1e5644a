import Foundation
import HTTP
import Postgres
import Synchronization

/// Gathers concurrent sends and writes them in one transaction per batch (the group commit):
/// one commit, one WAL flush and one NOTIFY for many messages, where one transaction per
/// message would hit the ceiling of NOTIFY's commit lock.
///
/// Which sends form a batch and when it goes is `GroupCommitStateMachine`'s decision (two
/// batches in flight never share a conversation; a lone sender goes at once; concurrent sends
/// are gathered for up to `window`). This type does what it says: each batch goes to one of
/// `connections` writers (its own pool, so it never queues behind request handlers): while one
/// batch waits for its commit to reach the disk, the next is written, and PostgreSQL flushes
/// their commits together. The gathering timer sleeps on the injected clock.
///
/// Every caller is answered after the commit with its own result or its own `SendFailure`.
/// Durable: `synchronous_commit` is left as the server has it.
final class GroupCommitter: Sendable {
    private struct Pending: Sendable {
        let request: SendRequest
        let continuation: CheckedContinuation<SendOutcome, any Error>
    }

    private typealias Machine = GroupCommitStateMachine<Pending>

    private struct State {
        var machine: Machine
        /// Callers of `shutdown`, answered with the machine's `stopped`.
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let pool: PostgresPool
    /// For rows whose conversation another writer holds: written apart, waiting for the lock.
    private let waitingPool: PostgresPool
    private let logger: Logger
    private let metrics: CommitMetrics
    private let clock: any Clock<Duration>
    private let state: Mutex<State>

    init(pool: PostgresPool, waitingPool: PostgresPool, maxBatch: Int, window: Duration, logger: Logger, metrics: CommitMetrics,
         clock: any Clock<Duration> = ContinuousClock()) {
        self.pool = pool
        self.waitingPool = waitingPool
        self.logger = logger
        self.metrics = metrics
        self.clock = clock
        state = Mutex(State(machine: Machine(writers: pool.maxConnections, maxBatch: maxBatch, window: window)))
    }

    /// Stops taking sends (later ones fail with `.shuttingDown`), writes what is queued, and
    /// returns when every batch has been answered.
    func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            perform { state in
                state.stopWaiters.append(continuation)
                return state.machine.stop()
            }
        }
    }

    /// Queues `request` for the next batch and waits for its commit.
    /// - Throws: `SendFailure` when the message was not stored.
    func submit(_ request: SendRequest) async throws -> SendOutcome {
        try await withCheckedThrowingContinuation { continuation in
            perform { state in
                state.machine.submit(Pending(request: request, continuation: continuation), conversation: request.conversationID)
            }
        }
    }

    /// Changes the state under the lock, then does what the machine asked, outside it.
    private func perform(_ event: (inout State) -> [Machine.Action]) {
        var waiters: [CheckedContinuation<Void, Never>] = []
        let actions = state.withLock { state in
            let actions = event(&state)
            if actions.contains(where: { if case .stopped = $0 { true } else { false } }) {
                swap(&waiters, &state.stopWaiters)
            }
            return actions
        }
        for action in actions {
            switch action {
            case .launch(let batch):
                Task.detached { [self] in
                    await commit(batch.items)
                    perform { $0.machine.batchDone(batch) }
                }
            case .refuse(let pending):
                pending.continuation.resume(throwing: SendFailure.shuttingDown)
            case .schedule(let generation, let delay):
                Task.detached { [self] in
                    try? await clock.sleep(for: delay, tolerance: nil)
                    perform { $0.machine.timerFired(generation: generation) }
                }
            case .stopped:
                for waiter in waiters { waiter.resume() }
            }
        }
    }

    // MARK: - Writing

    private func commit(_ batch: [Pending]) async {
        let started = ContinuousClock.now
        let results = await write(batch.map(\.request))
        metrics.recordBatch(size: batch.count, duration: ContinuousClock.now - started)
        var busy: [Pending] = []
        for (pending, result) in zip(batch, results) where !answer(pending, with: result) {
            busy.append(pending)
        }
        if !busy.isEmpty {
            metrics.busyRows.increment(by: busy.count)
            await writeWaiting(busy)
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
                return requests.map { _ in .failed(.databaseUnavailable) }
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
            for (item, result) in zip(group, results) where !answer(item, with: result) {
                item.continuation.resume(throwing: SendFailure.conversationBusy)
            }
        }
    }

    /// Answers `pending` with its row's result; false (and no answer) for a busy row.
    private func answer(_ pending: Pending, with result: SendRowResult) -> Bool {
        switch result {
        case .done(let outcome):
            if case .created = outcome { metrics.messagesStored.increment() }
            pending.continuation.resume(returning: outcome)
        case .failed(let failure):
            pending.continuation.resume(throwing: failure)
        case .busy:
            return false
        }
        return true
    }
}
