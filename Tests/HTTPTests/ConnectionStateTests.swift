import Testing
@testable import HTTP

/// A connection's phase, flags and timeouts without sockets or sleeps: the state's decisions,
/// and its timers in `TimeoutList`s driven by a made-up monotonic clock, as the event loop
/// drives them with the injected one.
@Suite struct ConnectionStateTests {
    /// Nanoseconds of the made-up clock.
    static let ms: UInt64 = 1_000_000

    /// The loop's timer lists for one connection in slot 0, with the loop's arming rules.
    struct Timers {
        var lists: [TimerKind: TimeoutList]
        var state: ConnectionState

        init(request: UInt64, idle: UInt64, heartbeat: UInt64 = 15_000 * ms, linger: UInt64 = 2_000 * ms) {
            lists = [.request: TimeoutList(duration: request), .idle: TimeoutList(duration: idle),
                     .heartbeat: TimeoutList(duration: heartbeat), .linger: TimeoutList(duration: linger)]
            state = ConnectionState()
        }

        mutating func arm(_ kind: TimerKind, now: UInt64) {
            if let current = state.timer { lists[current]!.disarm(0) }
            lists[kind]!.arm(0, now: now)
            state.timer = kind
        }

        /// The timer that expired by `now`, if any (disarmed, as the loop does).
        mutating func expired(now: UInt64) -> TimerKind? {
            for kind in TimerKind.allCases where !lists[kind]!.expire(now: now).isEmpty {
                state.timer = nil
                return kind
            }
            return nil
        }
    }

    @Test func aRequestThatStartedButDidNotArriveIs408AtTheRequestTimeoutAndNotBefore() throws {
        var timers = Timers(request: 10_000 * Self.ms, idle: 60_000 * Self.ms)
        // A new connection: the request timer runs from the accept.
        timers.arm(.request, now: 0)
        // Bytes of a request arrive at 3 s: still inside one request, the timer is not re-armed.
        #expect(timers.state.timerWhileReading(betweenRequests: false) == nil)
        let early = timers.expired(now: 9_999 * Self.ms)
        #expect(early == nil)
        let fired = timers.expired(now: 10_000 * Self.ms)
        let kind = try #require(fired)
        #expect(timers.state.timeout(kind, requestStarted: true) == .requestTimedOut)
    }

    @Test func aSilentNewConnectionIsClosedWithoutAnAnswer() throws {
        var timers = Timers(request: 10_000 * Self.ms, idle: 60_000 * Self.ms)
        timers.arm(.request, now: 0)
        let fired = timers.expired(now: 10_000 * Self.ms)
        let kind = try #require(fired)
        #expect(timers.state.timeout(kind, requestStarted: false) == .close)
    }

    @Test func keepAliveWaitsTheIdleTimeoutBetweenRequestsThenCloses() throws {
        var timers = Timers(request: 10_000 * Self.ms, idle: 60_000 * Self.ms)
        timers.state.phase = .writing
        timers.state.served = 1
        let drained = timers.state.outputDrained(draining: false)
        #expect(drained == .readNext)
        #expect(timers.state.phase == .reading)
        let next = try #require(timers.state.timerWhileReading(betweenRequests: true))
        #expect(next == .idle)
        timers.arm(next, now: 5_000 * Self.ms)
        #expect(timers.state.timerWhileReading(betweenRequests: true) == nil, "armed once, not pushed back")
        let early = timers.expired(now: 64_999 * Self.ms)
        #expect(early == nil)
        let fired = timers.expired(now: 65_000 * Self.ms)
        let kind = try #require(fired)
        #expect(timers.state.timeout(kind, requestStarted: false) == .close)
    }

    @Test func aResponseStuckBehindAClientThatDoesNotReadIsDroppedAfterTheIdleTimeoutWithoutProgress() throws {
        var timers = Timers(request: 10_000 * Self.ms, idle: 1_000 * Self.ms)
        timers.state.phase = .writing
        #expect(timers.state.rearmsIdleWhileWriting(wroteBytes: false))
        timers.arm(.idle, now: 0)
        // Progress at 800 ms moves the deadline; none after that lets it expire.
        #expect(timers.state.rearmsIdleWhileWriting(wroteBytes: true))
        timers.arm(.idle, now: 800 * Self.ms)
        #expect(!timers.state.rearmsIdleWhileWriting(wroteBytes: false))
        let early = timers.expired(now: 1_500 * Self.ms)
        #expect(early == nil)
        let fired = timers.expired(now: 1_800 * Self.ms)
        let kind = try #require(fired)
        #expect(timers.state.timeout(kind, requestStarted: false) == .close)
    }

    @Test func aStalledStreamIsASlowConsumerAtItsNextHeartbeat() {
        var state = ConnectionState()
        state.phase = .streaming
        #expect(state.timeout(.heartbeat, requestStarted: false) == .heartbeat)
        state.wroteSinceHeartbeat = true
        let afterProgress = state.heartbeat(outputPending: true)
        #expect(afterProgress, "bytes moved: a ping")
        #expect(!state.wroteSinceHeartbeat)
        let stalled = state.heartbeat(outputPending: true)
        #expect(!stalled, "nothing moved while output waits: slow consumer")
        let idle = state.heartbeat(outputPending: false)
        #expect(idle, "nothing waiting: an idle stream is fine")
    }

    @Test func afterTheLastResponseTheConnectionLingers() {
        /// What `state` does once its output is written.
        func drained(_ phase: ConnectionState.Phase, closeWhenFlushed: Bool, draining: Bool) -> ConnectionState.DrainedAction {
            var state = ConnectionState()
            state.phase = phase
            state.closeWhenFlushed = closeWhenFlushed
            return state.outputDrained(draining: draining)
        }
        #expect(drained(.writing, closeWhenFlushed: true, draining: false) == .lingeringClose)
        #expect(drained(.writing, closeWhenFlushed: false, draining: true) == .lingeringClose)
        #expect(drained(.streaming, closeWhenFlushed: false, draining: false) == .none)
        #expect(drained(.streaming, closeWhenFlushed: true, draining: false) == .close)
        #expect(ConnectionState().timeout(.linger, requestStarted: false) == .close)
    }

    @Test func interestFollowsThePhase() {
        var state = ConnectionState()
        #expect(state.interest(outputPending: false) == [.readable, .readHangup])
        state.phase = .handling
        #expect(state.interest(outputPending: false) == [.readHangup])
        state.phase = .writing
        #expect(state.interest(outputPending: true) == [.readHangup, .writable])
        state.inputClosed = true
        #expect(state.interest(outputPending: true) == [.writable])
        state.phase = .streaming
        #expect(state.interest(outputPending: false) == [])
    }

    @Test func atShutdownOnlyConnectionsIdleBetweenRequestsCloseAtOnce() {
        var state = ConnectionState()
        #expect(state.closesAtShutdown(idleBetweenRequests: true))
        #expect(!state.closesAtShutdown(idleBetweenRequests: false))
        state.phase = .handling
        #expect(!state.closesAtShutdown(idleBetweenRequests: true))
    }
}
