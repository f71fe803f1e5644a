import Synchronization

/// How many pooled connections are open right now, shared by the pool and its slots.
final class LiveConnectionCounter: Sendable {
    private let count = Atomic<Int>(0)

    func add(_ delta: Int) {
        count.add(delta, ordering: .relaxed)
    }

    var value: Int { count.load(ordering: .relaxed) }
}
