import ChatStore
import Foundation
import HTTP
import Models

/// The heart of the gateway: the tail position, the open streams and the audiences, owned by
/// one actor so that routing an event, opening a stream and finishing a resume never
/// interleave halfway.
///
/// - `drain()` reads `chat.events` after the position until caught up and routes every row
///   (`FanOutHub+Routing.swift`); only the tail loop calls it, one call at a time.
/// - A new stream is `attach`ed *held*: live events for it are kept aside while its connection
///   task replays from the database up to the position `attach` returned; `activate` then sends
///   the held events after the replay's end and makes it live: no gap, no duplicate at the seam.
/// - `send` never blocks (the HTTP engine queues bytes and closes streams that fall behind
///   its bound), so a slow client never slows the tail.
actor FanOutHub {
    let log: EventLog
    let sessions: SessionCache
    let metrics: GatewayMetrics
    let logger: Logger
    /// Bound on the events held for a replaying stream, in bytes (the stream bound).
    let maxHeldBytes: Int
    /// The hub's clock: audience use and eviction, the expiry check's pace (tests move it by hand).
    let now: @Sendable () -> ContinuousClock.Instant

    var registry = StreamRegistry()
    var audiences = AudienceCache()
    /// The last position routed; nil until the first read of the newest position succeeded.
    private(set) var position: Int64?
    private var lastEviction: ContinuousClock.Instant
    private var lastExpiryCheck: ContinuousClock.Instant
    private var failing = false
    /// Set by a reconnect, cleared once `detectFork` ran (a failed check is tried again).
    private var forkCheckDue = false
    let routedCounters: [StoredEventType: Counter]

    init(log: EventLog, sessions: SessionCache, metrics: GatewayMetrics, logger: Logger, maxHeldBytes: Int,
         now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.log = log
        self.now = now
        lastEviction = now()
        lastExpiryCheck = now()
        self.sessions = sessions
        self.metrics = metrics
        self.logger = logger
        self.maxHeldBytes = maxHeldBytes
        var counters: [StoredEventType: Counter] = [:]
        for type in StoredEventType.allCases { counters[type] = metrics.routed(type.rawValue) }
        self.routedCounters = counters
    }

    /// True once the tail position is known: streams can start.
    var isTailing: Bool { position != nil }

    func streamCount(of user: String) -> Int { registry.count(of: user) }

    // MARK: Streams

    /// Registers `subscription` as held and returns the position its replay must reach (live
    /// events after it are held for it); nil while the tail position is unknown.
    func attach(_ subscription: Subscription, role: Role) -> Int64? {
        guard let position else { return nil }
        registry.add(subscription, role: role)
        metrics.openStreams.set(Double(registry.count))
        return position
    }

    /// Ends the resume of stream `id`: delivers the held events after `floor` in order, then
    /// routes to it live.
    func activate(_ id: Int, floor: Int64) {
        guard let subscription = registry.byID[id], let held = subscription.held else { return }
        subscription.held = nil
        subscription.heldBytes = 0
        subscription.floor = floor
        for (pos, bytes) in held where pos > subscription.floor {
            guard send(bytes, pos: pos, to: subscription) else { return }
        }
    }

    /// Forgets stream `id` (its connection closed).
    func detach(_ id: Int) {
        guard registry.remove(id: id) != nil else { return }
        metrics.openStreams.set(Double(registry.count))
    }

    // MARK: Tail

    /// Reads and routes every event after the position until caught up. A failed read is
    /// logged once per outage and retried on the next doorbell, reconnect or safety tick.
    /// `afterReconnect`: the database connection was lost meanwhile (a failover, a restore):
    /// check first that the log did not move back under the position (`detectFork`).
    func drain(afterReconnect: Bool = false) async {
        do {
            if position == nil {
                let start = try await log.confirmedLatestPosition(logger: logger)
                position = start
                metrics.tailPosition.set(Double(start))
                logger.info("tailing chat.events", ["position": .int(Int(start))])
            }
            if afterReconnect { forkCheckDue = true }
            if forkCheckDue, let from = position {
                try await detectFork(from: from)
                forkCheckDue = false
            }
            while let from = position {
                let tail = try await log.events(after: from)
                if let lsn = tail.unconfirmedThrough { try await log.waitUntilReplicated(lsn, logger: logger) }
                let batch = tail.events
                guard let last = batch.last else { break }
                try await loadAudiences(for: batch)
                for event in batch { route(event) }
                position = last.pos
                metrics.tailPosition.set(Double(last.pos))
                if batch.count < EventLog.batchSize { break }
            }
            if failing {
                failing = false
                logger.info("reading chat.events again", ["position": .int(Int(position ?? 0))])
            }
        } catch {
            metrics.tailErrors.increment()
            if !failing {
                failing = true
                logger.warning("cannot read chat.events; retrying", ["error": .string(String(describing: error))])
            }
        }
        evictIdleAudiences()
        closeExpiredSessions()
    }

    /// Moves the tail back to `latest` (after a fork: `detectFork`).
    func resetPosition(to latest: Int64) {
        position = latest
        metrics.tailPosition.set(Double(latest))
    }

    /// Closes streams whose session expired (checked at most once a second, on the tail's ticks).
    private func closeExpiredSessions() {
        let now = now()
        guard now - lastExpiryCheck >= .seconds(1) else { return }
        lastExpiryCheck = now
        let date = Date()
        for subscription in registry.byID.values where subscription.expiresAt <= date { close(subscription) }
    }

    /// Loads, in one query, the audiences the batch's conversation events need and the cache
    /// lacks. Nothing is loaded while no stream is open.
    private func loadAudiences(for batch: [StoredEvent]) async throws {
        guard registry.count > 0 else { return }
        let needed = batch.lazy.filter { $0.type?.needsAudience == true }.compactMap(\.conversationID)
        let missing = audiences.missing(needed)
        guard !missing.isEmpty else { return }
        let loaded = try await log.audiences(of: missing.compactMap(UUID.init(uuidString:)))
        audiences.store(loaded, asked: missing, now: now())
    }

    /// Drops audiences unused for the cache's idle limit (looked at most once a minute).
    func evictIdleAudiences() {
        let now = now()
        guard now - lastEviction > .seconds(60) else { return }
        lastEviction = now
        audiences.evictIdle(now: now)
    }

    // MARK: Delivery

    /// Queues `bytes` (the event at `pos`) on `subscription` if it wants it: held while it
    /// replays, sent when live. Returns false when the stream is gone (it is then forgotten).
    @discardableResult
    func send(_ bytes: EventBytes, pos: Int64, to subscription: Subscription) -> Bool {
        guard pos > subscription.floor else { return true }
        if subscription.held != nil {
            subscription.held!.append((pos, bytes))
            subscription.heldBytes += bytes.bytes.count
            guard subscription.heldBytes <= maxHeldBytes else {
                metrics.slowConsumerDisconnects.increment()
                close(subscription)
                return false
            }
            return true
        }
        guard subscription.stream.send(bytes) else {
            if registry.remove(id: subscription.id) != nil { metrics.openStreams.set(Double(registry.count)) }
            return false
        }
        subscription.floor = pos
        metrics.deliveries.increment()
        metrics.deliveredBytes.increment(by: bytes.bytes.count)
        return true
    }

    /// Closes a stream on the server's initiative and forgets it.
    func close(_ subscription: Subscription) {
        subscription.stream.close()
        detach(subscription.id)
    }
}

extension StoredEventType {
    /// Types routed by the audience of their conversation.
    var needsAudience: Bool {
        timelineEventName != nil || self == .conversationCreated || self == .conversationUpdated
    }

    /// The stream event of a change in a conversation's timeline (messages and reactions): its
    /// payload is the event's data as is, for everyone who sees the conversation.
    var timelineEventName: StreamEventName? {
        switch self {
        case .messageCreated: .messageCreated
        case .messageUpdated: .messageUpdated
        case .messageDeleted: .messageDeleted
        case .reactionAdded: .reactionAdded
        case .reactionRemoved: .reactionRemoved
        default: nil
        }
    }
}
