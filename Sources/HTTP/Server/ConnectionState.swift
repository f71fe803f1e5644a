/// A connection's phase and flags, and the decisions that depend only on them: what to read
/// for, which timer to arm, what a timer's expiry means, what comes after the output drains.
/// The event loop owns one per connection (in `Connection`) and does the I/O the answers call
/// for; tests drive it with plain values and a made-up clock, no sockets.
struct ConnectionState {
    enum Phase: Equatable {
        /// Reading (or waiting for) a request.
        case reading
        /// A request is with its handler; input is not read (pipelined bytes wait in `inbound`).
        case handling
        /// A request on a streamed route is with its handler and its body is still being
        /// read into the connection's `upload`.
        case receiving
        /// The response is being written.
        case writing
        /// An event stream is open.
        case streaming
        /// Output is done and shut down; input is read and dropped until the client closes
        /// or the linger time passes.
        case lingering
    }

    /// What the request in flight needs when its response comes back.
    struct InFlight {
        var isHEAD: Bool
        var keepAlive: Bool
        var isHTTP10: Bool
        var requestID: String
    }

    var phase = Phase.reading
    var inFlight: InFlight?
    /// The timer list this connection is armed in.
    var timer: TimerKind?
    /// Close (lingering) once the output is written.
    var closeWhenFlushed = false
    /// The client shut down its side: no more requests will come.
    var inputClosed = false
    /// Requests answered on this connection.
    var served = 0
    var isClosed = false
    /// Some bytes reached the socket since the last heartbeat (a stalled stream has none).
    var wroteSinceHeartbeat = false
    /// Receiving a streamed body: reading stopped until the handler takes what is buffered.
    var uploadPaused = false

    /// The epoll interest the connection needs: read while a request is wanted (or on a stream
    /// or a lingering close, to see the client go), only watch for hang-up while a handler runs
    /// or a response is written, write while output waits.
    func interest(outputPending: Bool) -> EpollInterest {
        var interest: EpollInterest
        switch phase {
        case .reading, .streaming, .lingering: interest = inputClosed ? [] : [.readable, .readHangup]
        case .handling, .writing: interest = inputClosed ? [] : [.readHangup]
        case .receiving: interest = inputClosed || uploadPaused ? [] : [.readable, .readHangup]
        }
        if outputPending { interest.insert(.writable) }
        return interest
    }

    /// While reading and more input is needed: the timer to (re)arm, if any. Between requests
    /// the idle timeout runs (not before the first request: that one is the request timeout's);
    /// inside a request, the request timeout, armed once when it starts.
    func timerWhileReading(betweenRequests: Bool) -> TimerKind? {
        if betweenRequests { return served > 0 && timer != .idle ? .idle : nil }
        return timer != .request ? .request : nil
    }

    /// While a response is written and output is left: re-arm the idle timeout when bytes
    /// moved (or it is not armed yet), so a client that stops reading is dropped after it.
    func rearmsIdleWhileWriting(wroteBytes: Bool) -> Bool {
        phase == .writing && (wroteBytes || timer != .idle)
    }

    enum TimeoutAction: Equatable {
        /// Answer 408 and close: a request started but did not arrive in time.
        case requestTimedOut
        /// A streamed body made no progress within the request timeout: its handler gets 408.
        case bodyTimedOut
        case close
        case heartbeat
    }

    /// What the expiry of the connection's `kind` timer means. `requestStarted`: some bytes of
    /// a request are buffered or parsed.
    func timeout(_ kind: TimerKind, requestStarted: Bool) -> TimeoutAction {
        switch kind {
        case .request where phase == .receiving: .bodyTimedOut
        case .request: phase == .reading && requestStarted ? .requestTimedOut : .close
        case .idle, .linger: .close
        case .heartbeat: .heartbeat
        }
    }

    enum DrainedAction: Equatable {
        /// The response was the last: shut down our side and linger.
        case lingeringClose
        /// Keep-alive: read the next request (a pipelined one may be buffered).
        case readNext
        case close
        case none
    }

    /// All output was written. `draining`: the server is shutting down.
    mutating func outputDrained(draining: Bool) -> DrainedAction {
        switch phase {
        case .writing:
            if closeWhenFlushed || draining { return .lingeringClose }
            phase = .reading
            return .readNext
        case .streaming:
            return closeWhenFlushed ? .close : .none
        case .reading, .handling, .receiving, .lingering:
            return .none
        }
    }

    /// A stream's heartbeat is due: false when the client took no byte since the last one
    /// while output waits (a stalled reader, to close as a slow consumer); else a ping goes out
    /// and the count starts again.
    mutating func heartbeat(outputPending: Bool) -> Bool {
        if outputPending && !wroteSinceHeartbeat { return false }
        wroteSinceHeartbeat = false
        return true
    }

    /// At shutdown: a connection waiting between requests with nothing buffered closes at once.
    func closesAtShutdown(idleBetweenRequests: Bool) -> Bool {
        phase == .reading && idleBetweenRequests
    }
}
