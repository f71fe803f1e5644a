import Dispatch
import Foundation
import HTTP
import Postgres
import Synchronization

/// Gathers concurrent sends and writes them in one transaction per batch (the group commit):
/// one commit, one WAL flush and one NOTIFY for many messages, where one transaction per
/// message would hit the ceiling of NOTIFY's commit lock.
///
/// A dispatcher takes batches from the queue and hands each to one of `connections` writers
/// (its own pool, so it never queues behind request handlers): while one batch waits for its
/// commit to reach the disk, the next is written, and PostgreSQL flushes their commits together.
/// Two batches in flight never share a conversation (a send whose conversation is being
/// written waits for the next batch), so the writers never wait for each other's locks and one
/// sender's messages keep their order.
///
/// Gathering: with nothing in flight and a last batch of one (a lone sender), a send goes out
/// at once. Otherwise the dispatcher waits up to `window` for more, or until `maxBatch` are
/// queued: there is concurrency to gather.
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
        /// Conversations of the batches being written.
        var inFlight: Set<UUID> = []
        var batchesInFlight = 0
        var lastBatchSize = 0
        /// The dispatcher, parked until something changes (a send, a finished batch, a timeout).
        var parked: CheckedContinuation<Void, Never>?
        /// While gathering: wake the dispatcher only once this many sends are queued.
        var wakeAt = 1
        var parkGeneration = 0
        var stopping = false
    }

    private let pool: PostgresPool
    /// For rows whose conversation another writer holds: written apart, waiting for the lock.
    private let waitingPool: PostgresPool
    private let connections: Int
    private let maxBatch: Int
    private let window: Duration
    private let logger: Logger
    private let metrics: CommitMetrics
    private let state = Mutex(State())
    private let dispatcher = Mutex<Task<Void, Never>?>(nil)

    init(pool: PostgresPool, waitingPool: PostgresPool, maxBatch: Int, window: Duration, logger: Logger, metrics: CommitMetrics) {
        self.pool = pool
        self.waitingPool = waitingPool
        self.connections = pool.maxConnections
        self.maxBatch = max(1, maxBatch)
        self.window = window
        self.logger = logger
        self.metrics = metrics
    }

    func start() {
        dispatcher.withLock { task in
            guard task == nil else { return }
            task = Task.detached { [self] in await dispatch() }
        }
    }

    /// Stops taking sends (later ones get 503), writes what is queued, and returns when every
    /// batch has been answered.
    func shutdown() async {
        wake { $0.stopping = true }
        await dispatcher.withLock { $0 }?.value
    }

    /// Queues `request` for the next batch and waits for its commit.
    /// - Throws: `SendFailure` when the message was not stored.
    func submit(_ request: SendRequest) async throws -> SendOutcome {
        try await withCheckedThrowingContinuation { continuation in
            var accepted = true
            wake { state in
                guard !state.stopping else {
                    accepted = false
                    return
                }
                state.queue.append(Pending(request: request, continuation: continuation))
            }
            if !accepted { continuation.resume(throwing: SendFailure.shuttingDown) }
        }
    }

    // MARK: - The dispatcher

    private func dispatch() async {
        while true {
            switch nextStep() {
            case .stop:
                return
            case .wait:
                await park(gathering: false)
            case .gather:
                await park(gathering: true)
                if let batch = takeBatch() { launch(batch) }
            case .write(let batch):
                launch(batch)
            }
        }
    }

    private enum Step {
        case stop, wait, gather
        case write([Pending])
    }

    private func nextStep() -> Step {
        state.withLock { state in
            if state.stopping && state.queue.isEmpty && state.batchesInFlight == 0 { return .stop }
            guard canWrite(state) else { return .wait }
            let concurrent = state.batchesInFlight > 0 || state.lastBatchSize > 1
            if concurrent && window > .zero && state.queue.count < maxBatch && !state.stopping { return .gather }
            return .write(Self.take(&state, maxBatch: maxBatch))
        }
    }

    /// A writer is free and some queued send's conversation is not being written.
    private func canWrite(_ state: State) -> Bool {
        state.batchesInFlight < connections && state.queue.contains { !state.inFlight.contains($0.request.conversationID) }
    }

    private func takeBatch() -> [Pending]? {
        state.withLock { state in
            guard state.batchesInFlight < connections else { return nil }
            let batch = Self.take(&state, maxBatch: maxBatch)
            return batch.isEmpty ? nil : batch
        }
    }

    /// Up to `maxBatch` queued sends, in order, skipping conversations in flight (and so every
    /// later send of theirs); marks the batch in flight.
    private static func take(_ state: inout State, maxBatch: Int) -> [Pending] {
        var batch: [Pending] = []
        var rest: [Pending] = []
        for pending in state.queue {
            if batch.count < maxBatch && !state.inFlight.contains(pending.request.conversationID) {
                batch.append(pending)
            } else {
                rest.append(pending)
            }
        }
        guard !batch.isEmpty else { return [] }
        state.queue = rest
        for pending in batch { state.inFlight.insert(pending.request.conversationID) }
        state.batchesInFlight += 1
        state.lastBatchSize = batch.count
        return batch
    }

    private func launch(_ batch: [Pending]) {
        Task.detached { [self] in
            await commit(batch)
            wake { state in
                for pending in batch { state.inFlight.remove(pending.request.conversationID) }
                state.batchesInFlight -= 1
            }
        }
    }

    /// Changes the state and wakes the dispatcher: any change when it waits for work (it then
    /// looks again), only a full batch or a stop while it gathers.
    private func wake(_ change: (inout State) -> Void) {
        let parked = state.withLock { state -> CheckedContinuation<Void, Never>? in
            change(&state)
            guard let parked = state.parked, state.wakeAt == 1 || state.queue.count >= state.wakeAt || state.stopping else { return nil }
            state.parked = nil
            return parked
        }
        parked?.resume()
    }

    /// Waits for work (a writer free and a send it may take, or the stop), or, when
    /// `gathering`, for `maxBatch` queued sends, the stop or `window`, whichever comes first.
    private func park(gathering: Bool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let generation = state.withLock { state -> Int? in
                let ready = gathering
                    ? state.queue.count >= maxBatch || state.stopping
                    : canWrite(state) || (state.stopping && state.queue.isEmpty && state.batchesInFlight == 0)
                if ready { return nil }
                state.parked = continuation
                state.wakeAt = gathering ? maxBatch : 1
                state.parkGeneration += 1
                return state.parkGeneration
            }
            guard let generation else {
                continuation.resume()
                return
            }
            guard gathering else { return }
            let (seconds, attoseconds) = window.components
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
    }

    // MARK: - Writing

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
            for (item, result) in zip(group, results) {
                switch result {
                case .done(let outcome):
                    if case .created = outcome { metrics.messagesStored.increment() }
                    item.continuation.resume(returning: outcome)
                case .failed(let error):
                    item.continuation.resume(throwing: error)
                case .busy:
                    item.continuation.resume(throwing: SendFailure.conversationBusy)
                }
            }
        }
    }
}
