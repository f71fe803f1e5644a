/// The pool's bookkeeping, with no I/O: which slots are idle, how many exist, who is waiting.
/// Each event returns what the owner must do (hand a slot over, create one, fail a waiter), so
/// the owner changes this under its lock and acts after releasing it.
///
/// A slot is a connection's place: a serial queue that may or may not hold a live connection.
/// Slots are created lazily up to `maxConnections` and never destroyed before `close()`.
/// Idle slots with a live connection are preferred over ones whose connection was dropped.
struct PoolStateMachine<Slot, Waiter> {
    let maxConnections: Int
    /// Idle slots: cold ones (no live connection) at the front, warm ones at the back.
    private var idle: [(slot: Slot, warm: Bool)] = []
    private(set) var slotCount = 0
    private(set) var leased = 0
    /// Waiting callers, oldest first.
    private(set) var waiters: [(id: Int, waiter: Waiter)] = []
    private(set) var isClosed = false

    /// Idle slots holding a live connection.
    var warmIdleCount: Int { idle.count(where: \.warm) }

    init(maxConnections: Int) {
        precondition(maxConnections > 0, "a pool needs at least one connection")
        self.maxConnections = maxConnections
    }

    enum AcquireAction {
        /// Lend this idle slot to the caller.
        case lend(Slot)
        /// Make a new slot and lend it to the caller.
        case createSlot
        /// The caller was queued; schedule its timeout.
        case wait
        /// The pool is closed.
        case failClosed
    }

    mutating func acquire(id: Int, waiter: Waiter) -> AcquireAction {
        if isClosed { return .failClosed }
        if let (slot, _) = idle.popLast() {
            leased += 1
            return .lend(slot)
        }
        if slotCount < maxConnections {
            slotCount += 1
            leased += 1
            return .createSlot
        }
        waiters.append((id, waiter))
        return .wait
    }

    enum ReleaseAction {
        /// Nothing to do: the slot is idle again.
        case none
        /// Give the slot straight to this waiter (it stays leased).
        case lend(Slot, to: Waiter)
        /// The pool is closed: close the slot's connection.
        case closeSlot(Slot)
    }

    /// A slot comes back; `warm` says whether it still holds a live connection.
    mutating func release(_ slot: Slot, warm: Bool) -> ReleaseAction {
        if isClosed {
            leased -= 1
            return .closeSlot(slot)
        }
        if !waiters.isEmpty {
            return .lend(slot, to: waiters.removeFirst().waiter)
        }
        leased -= 1
        if warm { idle.append((slot, true)) } else { idle.insert((slot, false), at: 0) }
        return .none
    }

    /// The waiter gave up (timeout or cancellation): returns it if it was still waiting.
    mutating func removeWaiter(id: Int) -> Waiter? {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return waiters.remove(at: index).waiter
    }

    /// Closes the pool: returns the idle slots to close and the waiters to fail.
    mutating func close() -> (idle: [Slot], waiters: [Waiter]) {
        guard !isClosed else { return ([], []) }
        isClosed = true
        defer {
            idle = []
            waiters = []
        }
        return (idle.map(\.slot), waiters.map(\.waiter))
    }
}
