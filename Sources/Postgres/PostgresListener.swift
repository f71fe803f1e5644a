import Foundation
import Synchronization

/// Receives PostgreSQL notifications (`LISTEN`/`NOTIFY`) on a dedicated connection and thread,
/// and keeps listening across server restarts.
///
/// ```swift
/// let listener = PostgresListener(
///     config: config, channels: ["chat_events"],
///     onNotification: { channel, payload in tailer.doorbell() },
///     onConnect: { reconnected in tailer.catchUp() })
/// listener.start()
/// ...
/// listener.stop()
/// ```
///
/// Notifications sent while the listener is disconnected are lost (PostgreSQL keeps none for
/// absent listeners): that is why `onConnect` is called after every successful `LISTEN`, with
/// `reconnected` false the first time and true afterwards, so the owner can catch up from its
/// durable source (`chat.events`).
///
/// When the connection fails or breaks, it reconnects with capped exponential backoff
/// (100 ms, doubling, at most 2 s). The connection uses TCP keepalives so a silently dead
/// server is noticed too.
///
/// > Important: the callbacks run on the listener's thread, one at a time, in order. Keep them
/// > short and non-blocking (signal something; do not query from inside them).
public final class PostgresListener: Sendable {
    /// Where to connect.
    public let config: PostgresConfig
    /// The channels to `LISTEN` on (quoted as identifiers: any name is safe).
    public let channels: [String]

    let onNotification: @Sendable (_ channel: String, _ payload: String) -> Void
    let onConnect: @Sendable (_ reconnected: Bool) -> Void
    let onError: (@Sendable (PostgresError) -> Void)?
    let backoff: ReconnectBackoff
    let wakeup = WakeupPipe()
    let state = Mutex(State())
    /// Entered when the thread starts, left when it ends: `stop()` waits on it.
    let running = DispatchGroup()

    struct State {
        enum Phase { case initial, running, stopped }
        var phase = Phase.initial
        var stopRequested = false
        var connected = false
        var thread: pthread_t?
    }

    /// - Parameters:
    ///   - config: where to connect (a connection of its own, never a pooled one).
    ///   - channels: channel names to listen on.
    ///   - onNotification: called with `(channel, payload)` for each notification.
    ///   - onConnect: called with `reconnected` after each successful `LISTEN`.
    ///   - onError: called with each connection failure, before the retry (for logs).
    ///   - backoff: reconnect delays (default 100 ms doubling to 2 s).
    public init(
        config: PostgresConfig, channels: [String],
        onNotification: @escaping @Sendable (_ channel: String, _ payload: String) -> Void,
        onConnect: @escaping @Sendable (_ reconnected: Bool) -> Void = { _ in },
        onError: (@Sendable (PostgresError) -> Void)? = nil,
        backoff: ReconnectBackoff = ReconnectBackoff()
    ) {
        self.config = config
        self.channels = channels
        self.onNotification = onNotification
        self.onConnect = onConnect
        self.onError = onError
        self.backoff = backoff
    }

    deinit {
        stop()
    }

    /// Starts the listener thread, which connects, listens and delivers notifications until
    /// `stop()`. Calling it again, or after `stop()`, does nothing.
    public func start() {
        let shouldStart = state.withLock { state in
            guard state.phase == .initial else { return false }
            state.phase = .running
            return true
        }
        guard shouldStart else { return }
        running.enter()
        let thread = Thread { [self] in
            state.withLock { $0.thread = pthread_self() }
            run()
            state.withLock { $0.connected = false }
            running.leave()
        }
        thread.name = "postgres-listener"
        thread.start()
    }

    /// Stops listening and closes the connection. Returns once the thread has finished, so no
    /// callback runs after it (unless called from a callback, then it returns at once).
    public func stop() {
        let (started, onOwnThread) = state.withLock { state in
            state.stopRequested = true
            let started = state.phase != .initial
            state.phase = .stopped
            return (started, state.thread.map { pthread_equal($0, pthread_self()) != 0 } ?? false)
        }
        guard started else { return }
        wakeup.signal()
        if !onOwnThread {
            running.wait()
        }
    }

    /// Whether the listener is connected and listening right now (for readiness checks).
    public var isConnected: Bool {
        state.withLock { $0.connected }
    }

    var stopRequested: Bool {
        state.withLock { $0.stopRequested }
    }
}
