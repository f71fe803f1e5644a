import Foundation

/// The group committer's scheduling, with no I/O and no clock: which sends go into the next
/// batch and when. Each event (a send submitted, a batch done, the gathering timer, the stop)
/// returns what the owner must do: launch a batch, answer a send it cannot take, schedule the
/// timer, report the stop complete. The owner changes it under its lock and acts after.
///
/// The rules:
/// - Two batches in flight never share a conversation: a send whose conversation is being
///   written waits for a later batch, and so does every later send of that conversation, so
///   one sender's messages keep their order and writers never wait for each other's locks.
/// - At most `writers` batches are in flight.
/// - With nothing in flight and a last batch of one (a lone sender), a send goes out at once.
///   Otherwise there is concurrency to gather: the machine waits up to `window` (the timer)
///   or until `maxBatch` sends are queued, whichever comes first.
/// - After `stop`, new sends are answered at once (refused); the queue is written without
///   gathering, and `stopped` comes when the last batch is done.
struct GroupCommitStateMachine<Item> {
    let writers: Int
    let maxBatch: Int
    let window: Duration

    private var queue: [(conversation: UUID, item: Item)] = []
    /// Conversations of the batches being written.
    private(set) var inFlight: Set<UUID> = []
    private(set) var batchesInFlight = 0
    private var lastBatchSize = 0
    private var gathering = Gathering.idle
    private var timerGeneration = 0
    private(set) var isStopping = false

    private enum Gathering {
        case idle
        /// The timer of this generation is set; launch when it fires or the batch is full.
        case waiting(generation: Int)
    }

    /// A batch to write: its items, in submission order, and its conversations.
    struct Batch {
        var items: [Item]
        var conversations: Set<UUID>
    }

    enum Action {
        /// Write this batch, then report `batchDone`.
        case launch(Batch)
        /// Answer this send: the committer is stopping.
        case refuse(Item)
        /// Call `timerFired(generation:)` after `delay`.
        case schedule(generation: Int, delay: Duration)
        /// Everything queued before the stop has been written.
        case stopped
    }

    var queuedCount: Int { queue.count }

    init(writers: Int, maxBatch: Int, window: Duration) {
        precondition(writers > 0, "a group committer needs at least one writer")
        self.writers = writers
        self.maxBatch = max(1, maxBatch)
        self.window = window
    }

    mutating func submit(_ item: Item, conversation: UUID) -> [Action] {
        guard !isStopping else { return [.refuse(item)] }
        queue.append((conversation, item))
        return step()
    }

    mutating func batchDone(_ batch: Batch) -> [Action] {
        inFlight.subtract(batch.conversations)
        batchesInFlight -= 1
        return step()
    }

    mutating func timerFired(generation: Int) -> [Action] {
        guard case .waiting(let current) = gathering, current == generation else { return [] }
        gathering = .idle
        return step(windowOver: true)
    }

    mutating func stop() -> [Action] {
        isStopping = true
        gathering = .idle
        return step()
    }

    /// Launches what may go now; starts gathering when there is concurrency to gather.
    private mutating func step(windowOver: Bool = false) -> [Action] {
        var actions: [Action] = []
        var windowOver = windowOver
        while canWrite {
            let concurrent = batchesInFlight > 0 || lastBatchSize > 1
            if concurrent && window > .zero && queue.count < maxBatch && !isStopping && !windowOver {
                if case .idle = gathering {
                    timerGeneration += 1
                    gathering = .waiting(generation: timerGeneration)
                    actions.append(.schedule(generation: timerGeneration, delay: window))
                }
                return actions
            }
            gathering = .idle
            windowOver = false
            actions.append(.launch(takeBatch()))
        }
        if isStopping && queue.isEmpty && batchesInFlight == 0 { actions.append(.stopped) }
        return actions
    }

    /// A writer is free and some queued send's conversation is not being written.
    private var canWrite: Bool {
        batchesInFlight < writers && queue.contains { !inFlight.contains($0.conversation) }
    }

    /// Up to `maxBatch` queued sends, in order, skipping conversations in flight (and so every
    /// later send of theirs, since a conversation taken here is then in flight); marks the batch
    /// in flight.
    private mutating func takeBatch() -> Batch {
        var batch = Batch(items: [], conversations: [])
        var rest: [(conversation: UUID, item: Item)] = []
        for entry in queue {
            if batch.items.count < maxBatch && !inFlight.contains(entry.conversation) {
                batch.items.append(entry.item)
                batch.conversations.insert(entry.conversation)
            } else {
                rest.append(entry)
            }
        }
        queue = rest
        inFlight.formUnion(batch.conversations)
        batchesInFlight += 1
        lastBatchSize = batch.items.count
        return batch
    }
}

extension GroupCommitStateMachine.Batch: Sendable where Item: Sendable {}
