import Synchronization

/// A monotonically increasing count (Prometheus `counter`). Lock-free.
public final class Counter: Sendable {
    private let storage = Atomic<Int>(0)

    init() {}

    /// Adds `amount`; a negative amount is ignored (a counter never goes down).
    public func increment(by amount: Int = 1) {
        guard amount > 0 else { return }
        storage.wrappingAdd(amount, ordering: .relaxed)
    }

    public var value: Int { storage.load(ordering: .relaxed) }
}
