import ChatStore
import Foundation
import Models
import Synchronization
import Postgres
import Testing
@testable import ChatGateway
@testable import HTTP

/// `FanOutHub`'s routing in-process: a preloaded audience cache and real `EventStream`s over a
/// `LoopInbox` that no loop drains, so a test reads exactly what each stream was sent, and a
/// clock the test moves by hand. No database (the hub's pool points nowhere and is never used),
/// no sockets, no processes; the process-level tests (`GatewayRoutingTests`) keep what only
/// processes show.
@Suite("Fan-out routing in-process")
struct FanOutHubRoutingTests {
    let inbox: LoopInbox
    let hub: FanOutHub
    let clock = ManualClock()
    let circle = UUID().uuidString.lowercased()
    let direct = UUID().uuidString.lowercased()
    private let ids = IDSource()

    init() throws {
        inbox = try LoopInbox()
        let nowhere = PostgresPool(config: PostgresConfig(url: "postgres://nobody@127.0.0.1:1/none", applicationName: "tests"))
        hub = FanOutHub(log: EventLog(pool: nowhere), sessions: SessionCache(ttl: .seconds(1)),
                        metrics: GatewayMetrics(registry: MetricsRegistry()), logger: Logger(label: "tests", level: .error),
                        maxHeldBytes: 1 << 20, now: { [clock] in clock.now })
    }

    /// Who is where: circle chat {m1, m2}, direct chat {m1, m3}.
    func preload() async {
        await hub.preload([circle: Audience(kind: .circle, members: ["m1", "m2"]), direct: Audience(kind: .direct, members: ["m1", "m3"])])
    }

    /// A live stream of `user` (session `session`), optionally filtered to one conversation.
    func open(_ user: String, role: Role = .member, session: Int64 = 1, only conversation: String? = nil) async -> EventStream {
        let stream = EventStream(id: ids.next(), connection: ConnectionID(slot: 0, generation: 0), inbox: inbox, maxBufferedBytes: 1 << 20)
        let subscription = Subscription(stream: stream, userID: user, sessionID: session, expiresAt: .distantFuture,
                                        conversationFilter: conversation)
        await hub.open(subscription, role: role)
        return stream
    }

    func event(_ pos: Int64, _ type: StoredEventType, conversation: String? = nil, user: String? = nil, payload: String = "{}") -> StoredEvent {
        StoredEvent(pos: pos, type: type, conversationID: conversation, userID: user, payload: payload, committedAt: Date(),
                    conversationJSON: nil)
    }

    /// The `id:` of every frame sent to `stream` since the last look, and whether it was closed.
    func received(_ stream: EventStream) -> (ids: [Int64], closed: Bool) {
        let (chunks, ending) = stream.takePending()
        let text = chunks.map { String(decoding: $0.bytes, as: UTF8.self) }.joined()
        let ids = text.split(separator: "\n").compactMap { line in line.hasPrefix("id: ") ? Int64(line.dropFirst(4)) : nil }
        return (ids, ending != nil)
    }

    @Test("a circle chat's message reaches its members and every connected admin; a direct chat's, its two participants only")
    func messagesFollowTheAccessRule() async {
        await preload()
        let (m1, m2, m3, admin, stranger) = (await open("m1"), await open("m2"), await open("m3"), await open("a1", role: .admin),
                                             await open("s1"))
        await hub.route(event(1, .messageCreated, conversation: circle))
        await hub.route(event(2, .messageCreated, conversation: direct))
        #expect(received(m1).ids == [1, 2])
        #expect(received(m2).ids == [1])
        #expect(received(m3).ids == [2])
        #expect(received(admin).ids == [1])
        #expect(received(stranger).ids == [])
    }

    @Test("membership events move the cached audience: an added member gets the next message, a removed one its conversation.removed and nothing after")
    func membershipChangesTheAudience() async {
        await preload()
        let (m2, newcomer) = (await open("m2"), await open("n1"))
        await hub.route(event(1, .memberAdded, conversation: circle, user: "n1"))
        await hub.route(event(2, .memberRemoved, conversation: circle, user: "m2"))
        await hub.route(event(3, .messageCreated, conversation: circle))
        #expect(received(newcomer).ids == [3])
        #expect(received(m2).ids == [2])
    }

    @Test("read.updated goes to the reader's streams only; a conversation filter keeps other conversations out")
    func readUpdatesAndFilters() async {
        await preload()
        let (everything, onlyDirect, other) = (await open("m1"), await open("m1", only: direct), await open("m2"))
        await hub.route(event(1, .readUpdated, conversation: circle, user: "m1"))
        await hub.route(event(2, .messageCreated, conversation: direct))
        #expect(received(everything).ids == [1, 2])
        #expect(received(onlyDirect).ids == [2])
        #expect(received(other).ids == [])
    }

    @Test("a role change moves a user in or out of the admins; deactivation and session revocation close streams at once")
    func userAndSessionEvents() async {
        await preload()
        let promoted = await open("s1")
        let (firstSession, secondSession) = (await open("m3", session: 7), await open("m3", session: 8))
        let deactivated = await open("m2")
        await hub.route(event(1, .userUpdated, user: "s1", payload: #"{"role":"admin","active":true}"#))
        await hub.route(event(2, .messageCreated, conversation: circle))
        #expect(received(promoted).ids == [2])

        await hub.route(event(3, .sessionRevoked, user: "m3", payload: #"{"session_id":7}"#))
        #expect(received(firstSession).closed)
        #expect(!received(secondSession).closed)

        await hub.route(event(4, .userUpdated, user: "m2", payload: #"{"role":"member","active":false}"#))
        #expect(received(deactivated).closed)
        await hub.route(event(5, .messageCreated, conversation: circle))
        #expect(received(deactivated).ids == [])
        #expect(await hub.streamCount(of: "m2") == 0)
    }

    @Test("an audience unused for the idle limit is evicted (the next event needs a load); one in use stays")
    func idleAudiencesAreEvictedOnTheHubsClock() async {
        await preload()
        let member = await open("m1")
        clock.advance(by: .seconds(300))
        await hub.route(event(1, .messageCreated, conversation: direct))  // uses the direct chat's entry
        clock.advance(by: .seconds(400))  // the circle chat's entry: 700 s idle; the direct chat's: 400 s
        await hub.evictIdleAudiences()
        await hub.route(event(2, .messageCreated, conversation: circle))
        await hub.route(event(3, .messageCreated, conversation: direct))
        #expect(received(member).ids == [1, 3])
    }
}

/// A clock that moves only when told.
final class ManualClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)
    var now: ContinuousClock.Instant { instant.withLock { $0 } }
    func advance(by duration: Duration) { instant.withLock { $0 += duration } }
}

/// Stream ids unique within a test.
private final class IDSource: Sendable {
    private let counter = Atomic<Int>(0)
    func next() -> Int { counter.add(1, ordering: .relaxed).newValue }
}

extension FanOutHub {
    /// Test hooks: a preloaded audience cache, and a stream registered live (no replay).
    func preload(_ loaded: [String: Audience]) {
        audiences.store(loaded, asked: Set(loaded.keys), now: now())
    }

    func open(_ subscription: Subscription, role: Role) {
        subscription.held = nil
        registry.add(subscription, role: role)
    }
}
