import Synchronization

/// docs/api.md: typing calls faster than one per 2 s per user and conversation are accepted and
/// coalesced (204, nothing sent). One instant per (user, conversation) on this replica: a call
/// within `interval` of the last one that was sent is dropped. With several replicas behind a
/// balancer a user may get one extra `typing` per replica per interval, which is harmless.
///
/// A busy conversation is coalesced as a whole too: at most `perConversationPerSecond` notices a
/// second per conversation leave this replica. Without it, a circle of 1,000 members typing
/// every 2 s would be 500 notices a second, each delivered to 999 streams (half a million
/// writes a second for "someone is typing"); with it, each open page gets at most a few a
/// second, which is all a typing line can show.
///
/// A call that would be coalesced anyway, from a user whose access to the conversation was
/// checked less than `accessMemory` ago, is answered without asking the database
/// (`coalescesWithoutCheck`): the access check was most of typing's database cost (500 queries
/// a second in such a circle, scripts/bench-typing). Such a call sends nothing, so a stale
/// answer can only be a 204 instead of a 404 to someone removed in the last seconds.
final class TypingCoalescer: Sendable {
    private struct Key: Hashable {
        var user: String
        var conversation: String
    }

    /// Notices sent in a conversation during the current one-second window.
    private struct Window {
        var start: ContinuousClock.Instant
        var sent: Int
    }

    private struct State {
        var lastSent: [Key: ContinuousClock.Instant] = [:]
        var windows: [String: Window] = [:]
        /// When each user's access to each conversation was last checked and allowed.
        var allowed: [Key: ContinuousClock.Instant] = [:]
    }

    private let interval: Duration
    private let perConversationPerSecond: Int
    private let accessMemory: Duration
    private let state = Mutex(State())
    /// Past this many entries, those no longer in force are forgotten.
    private let trimThreshold = 10_000

    init(interval: Duration = .seconds(2), perConversationPerSecond: Int = 4, accessMemory: Duration = .seconds(10)) {
        self.interval = interval
        self.perConversationPerSecond = perConversationPerSecond
        self.accessMemory = accessMemory
    }

    /// True when this call would be coalesced and the user's access was checked and allowed
    /// within `accessMemory`: answer 204 without a query. Records nothing.
    func coalescesWithoutCheck(user: String, conversation: String, now: ContinuousClock.Instant = .now) -> Bool {
        let key = Key(user: user, conversation: conversation)
        return state.withLock { state in
            guard let checked = state.allowed[key], now - checked < accessMemory else { return false }
            return coalesces(key, in: state, now: now)
        }
    }

    /// Called once the user's access was checked and allowed: true when this call should be
    /// sent (and records it), false when it is coalesced.
    func shouldSend(user: String, conversation: String, now: ContinuousClock.Instant = .now) -> Bool {
        let key = Key(user: user, conversation: conversation)
        return state.withLock { state in
            state.allowed[key] = now
            guard !coalesces(key, in: state, now: now) else { return false }
            let current = state.windows[conversation].flatMap { now - $0.start < .seconds(1) ? $0 : nil }
            state.windows[conversation] = Window(start: current?.start ?? now, sent: (current?.sent ?? 0) + 1)
            state.lastSent[key] = now
            trim(&state, now: now)
            return true
        }
    }

    /// Whether a call now would send nothing: the user's last notice in the conversation is
    /// under `interval` old, or the conversation's second is full.
    private func coalesces(_ key: Key, in state: State, now: ContinuousClock.Instant) -> Bool {
        if let last = state.lastSent[key], now - last < interval { return true }
        guard let window = state.windows[key.conversation], now - window.start < .seconds(1) else { return false }
        return window.sent >= perConversationPerSecond
    }

    /// Forgets, past `trimThreshold` entries, those no longer in force.
    private func trim(_ state: inout State, now: ContinuousClock.Instant) {
        if state.lastSent.count > trimThreshold { state.lastSent = state.lastSent.filter { now - $0.value < interval } }
        if state.windows.count > trimThreshold { state.windows = state.windows.filter { now - $0.value.start < .seconds(1) } }
        if state.allowed.count > trimThreshold { state.allowed = state.allowed.filter { now - $0.value < accessMemory } }
    }
}
