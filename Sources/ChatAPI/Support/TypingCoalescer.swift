import Synchronization

/// docs/api.md: typing calls faster than one per 2 s per user and conversation are accepted and
/// coalesced (204, nothing sent). One instant per (user, conversation) on this replica: a call
/// within `interval` of the last one that was sent is dropped. With several replicas behind a
/// balancer a user may get one extra `typing` per replica per interval, which is harmless.
final class TypingCoalescer: Sendable {
    private struct Key: Hashable {
        var user: String
        var conversation: String
    }

    private let interval: Duration
    private let lastSent = Mutex<[Key: ContinuousClock.Instant]>([:])
    /// Past this many entries, those older than `interval` are forgotten.
    private let trimThreshold = 10_000

    init(interval: Duration = .seconds(2)) { self.interval = interval }

    /// True when this call should be sent (and records it), false when it is coalesced.
    func shouldSend(user: String, conversation: String, now: ContinuousClock.Instant = .now) -> Bool {
        let key = Key(user: user, conversation: conversation)
        return lastSent.withLock { lastSent in
            if let last = lastSent[key], now - last < interval { return false }
            lastSent[key] = now
            if lastSent.count > trimThreshold {
                lastSent = lastSent.filter { now - $0.value < interval }
            }
            return true
        }
    }
}
