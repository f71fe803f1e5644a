import HTTP
import Postgres
import Synchronization

/// Keeps the hub caught up with `chat.events` (docs/architecture.md, "The event path"):
/// ONE `LISTEN chat_events` connection for the process (it also listens on `chat_typing`,
/// whose payloads go to `onTyping` untouched), and one tail task that drains the log
/// whenever something rings: a notification (a doorbell: its payload is not used), a
/// (re)connection of the listener (notifications sent meanwhile are lost, the table is not), or
/// the safety tick. Rings while a drain runs collapse into one more drain (the signal buffers
/// at most one), so a burst of commits costs one read per batch, not one per commit.
final class EventTailer: Sendable {
    static let channel = "chat_events"
    /// Ephemeral typing notices (`pg_notify` by the API; no table row).
    static let typingChannel = "chat_typing"

    private let hub: FanOutHub
    private let listener: PostgresListener
    private let safetyInterval: Duration
    private let signals: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation
    private let tasks = Mutex<[Task<Void, Never>]>([])
    /// Set when the listener connected again: the next drain checks for a fork first.
    private let reconnected: ReconnectFlag

    init(hub: FanOutHub, config: PostgresConfig, safetyInterval: Duration, logger: Logger,
         onTyping: @escaping @Sendable (String) -> Void) {
        let (signals, ring) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let reconnectedFlag = ReconnectFlag()
        self.reconnected = reconnectedFlag
        self.hub = hub
        self.signals = signals
        self.ring = ring
        self.safetyInterval = safetyInterval
        self.listener = PostgresListener(
            config: config, channels: [EventTailer.channel, EventTailer.typingChannel],
            onNotification: { channel, payload in
                if channel == EventTailer.typingChannel { onTyping(payload) } else { ring.yield() }
            },
            onConnect: { reconnected in
                if reconnected {
                    logger.info("listening on chat_events again; catching up")
                    reconnectedFlag.value.store(true, ordering: .sequentiallyConsistent)
                }
                ring.yield()
            },
            onError: { error in logger.warning("chat_events listener disconnected; reconnecting", ["error": .string(String(describing: error))]) })
    }

    /// True while the LISTEN connection is up (for `/readyz`).
    var isListening: Bool { listener.isConnected }

    func start() {
        listener.start()
        let signals = self.signals
        let hub = self.hub
        let ring = self.ring
        let interval = safetyInterval
        let reconnected = self.reconnected
        let tail = Task {
            for await _ in signals {
                await hub.drain(afterReconnect: reconnected.value.exchange(false, ordering: .sequentiallyConsistent))
            }
        }
        let tick = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                ring.yield()
            }
        }
        ring.yield()
        tasks.withLock { $0 = [tail, tick] }
    }

    func stop() {
        listener.stop()
        ring.finish()
        for task in tasks.withLock({ $0 }) { task.cancel() }
    }
}

/// The listener's "connected again" news, shared by its callback and the tail task.
private final class ReconnectFlag: Sendable {
    let value = Atomic<Bool>(false)
}
