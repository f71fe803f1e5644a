/// Hands typing notices from the listener's thread to the hub: the listener's callback only
/// yields into a bounded buffer (it must not block), and one task relays them in order. Under a
/// flood the oldest notices are dropped first: a typing line is worthless a few seconds later.
final class TypingRelay: Sendable {
    private let notices: AsyncStream<String>
    private let input: AsyncStream<String>.Continuation
    private let task: Task<Void, Never>

    init(hub: FanOutHub, buffer: Int = 4096) {
        let (notices, input) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(buffer))
        self.notices = notices
        self.input = input
        task = Task {
            for await payload in notices { await hub.relayTyping(payload) }
        }
    }

    /// Called on the listener's thread.
    func accept(_ payload: String) { input.yield(payload) }

    func stop() {
        input.finish()
        task.cancel()
    }
}
