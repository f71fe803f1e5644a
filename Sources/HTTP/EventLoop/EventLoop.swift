import CLinuxShims
import Foundation
import Glibc

/// One event loop: a dedicated thread running `epoll_wait` over its connections, the shared
/// listener (registered `EPOLLEXCLUSIVE`, so one loop wakes per new connection), its inbox's
/// eventfd, and timer lists that set the wait's timeout. Handlers run as tasks on the
/// cooperative pool; their responses come back through the inbox. Nothing on this thread
/// ever blocks except `epoll_wait` itself.
///
/// `@unchecked Sendable`: once `start()` has run, every stored property except `inbox` and
/// `context` (both Sendable) is read and written only on the loop's own thread; before that,
/// only by the thread that creates and starts it. Other threads reach the loop only through
/// `inbox`.
final class EventLoop: @unchecked Sendable {
    static let inboxToken = UInt64.max
    static let listenerToken = UInt64.max - 1
    static let readBufferSize = 64 * 1024

    let index: Int
    let context: ServerContext
    let inbox: LoopInbox
    let epoll: Epoll
    private let onExit: @Sendable () -> Void

    var connections: [Connection?] = []
    private var generations: [UInt32] = []
    private var freeSlots: [UInt32] = []
    var liveConnections = 0

    var timeouts: [TimeoutList]
    /// Monotonic time of the current iteration.
    var now: UInt64 = 0
    var draining = false
    /// Set while an immediate answer is delivered from inside `processInbound`, whose loop then
    /// reads the next pipelined request itself (no recursion per request).
    var answeringImmediately = false
    var shutdownDeadline: UInt64?
    var dateCache = HTTPDateCache()
    /// A descriptor kept open so that, when the process is out of them, one can be freed to
    /// accept and close a connection instead of spinning on a listener that stays readable.
    var reserveFD: Int32
    var lastCapacityWarning: UInt64 = 0
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: EventLoop.readBufferSize, alignment: 16)
    let iovecs = UnsafeMutableBufferPointer<iovec>.allocate(capacity: 64)

    init(index: Int, context: ServerContext, onExit: @escaping @Sendable () -> Void) throws(SocketError) {
        self.index = index
        self.context = context
        self.onExit = onExit
        inbox = try LoopInbox()
        epoll = try Epoll()
        let configuration = context.configuration
        timeouts = TimerKind.allCases.map { kind in
            switch kind {
            case .request: TimeoutList(duration: configuration.requestHeaderTimeout.nanoseconds)
            case .idle: TimeoutList(duration: configuration.idleTimeout.nanoseconds)
            case .heartbeat: TimeoutList(duration: configuration.sseHeartbeatInterval.nanoseconds)
            case .linger: TimeoutList(duration: configuration.lingerTimeout.nanoseconds)
            }
        }
        reserveFD = open("/dev/null", O_RDONLY | O_CLOEXEC)
        do {
            try epoll.add(inbox.eventFD, interest: .readable, token: Self.inboxToken)
            try epoll.add(context.listener.fd, interest: [.readable, .exclusive], token: Self.listenerToken)
        } catch {
            release()
            throw error
        }
    }

    func start() {
        let thread = Thread { [self] in
            // What `top -H` and `perf` show (Foundation's `Thread.name` leaves the kernel's name
            // inherited from the starting thread).
            clinux_name_thread("http-loop-\(index)")
            run()
        }
        thread.start()
    }

    private func run() {
        while true {
            now = context.configuration.clock.now()
            epoll.wait(timeoutMilliseconds: waitTimeout()) { event in
                // The wait may have lasted longer than a timeout (no timer armed, nothing to
                // do): timers armed while handling this event start from now, not from then.
                now = context.configuration.clock.now()
                handle(event)
            }
            now = context.configuration.clock.now()
            processInbox()
            expireTimers()
            if draining {
                if liveConnections == 0 { break }
                if let deadline = shutdownDeadline, now >= deadline {
                    closeAll()
                    break
                }
            }
        }
        _ = inbox.close()
        release()
        onExit()
    }

    private func release() {
        epoll.close()
        if reserveFD >= 0 { _ = Glibc.close(reserveFD) }
        readBuffer.deallocate()
        iovecs.deallocate()
    }

    private func handle(_ event: EpollEvent) {
        switch event.token {
        case Self.inboxToken:
            break  // drained after the batch
        case Self.listenerToken:
            acceptConnections()
        default:
            guard let connection = connection(ConnectionID(token: event.token)) else { return }  // stale
            if event.isHangupOrError {
                close(connection)
                return
            }
            if event.isWritable { flush(connection) }
            if !connection.state.isClosed && (event.isReadable || event.isReadHangup) { readable(connection) }
        }
    }

    private func processInbox() {
        for message in inbox.drain() {
            switch message {
            case .response(let id, let response): deliver(response, to: id)
            case .streamActivity(let stream): streamActivity(stream)
            case .uploadDemand(let id): uploadDemand(id)
            case .bodyActivity(let writer): bodyActivity(writer)
            case .beginShutdown(let deadline): beginShutdown(deadline: deadline)
            }
        }
    }

    // MARK: The connection table

    func connection(_ id: ConnectionID) -> Connection? {
        let slot = Int(id.slot)
        guard slot < connections.count, generations[slot] == id.generation else { return nil }
        return connections[slot]
    }

    /// Takes a free slot and returns the id a connection in it will have.
    func allocateID() -> ConnectionID {
        if let slot = freeSlots.popLast() { return ConnectionID(slot: slot, generation: generations[Int(slot)]) }
        connections.append(nil)
        generations.append(0)
        return ConnectionID(slot: UInt32(connections.count - 1), generation: 0)
    }

    func insert(_ connection: Connection) {
        connections[Int(connection.id.slot)] = connection
        liveConnections += 1
    }

    /// Frees the slot; its generation moves on so late events and messages miss.
    func remove(_ connection: Connection) {
        let slot = Int(connection.id.slot)
        connections[slot] = nil
        generations[slot] &+= 1
        freeSlots.append(connection.id.slot)
        liveConnections -= 1
    }

    // MARK: Timers

    func arm(_ connection: Connection, _ kind: TimerKind) {
        disarm(connection)
        timeouts[kind.index].arm(Int(connection.id.slot), now: now)
        connection.state.timer = kind
    }

    func disarm(_ connection: Connection) {
        guard let kind = connection.state.timer else { return }
        timeouts[kind.index].disarm(Int(connection.id.slot))
        connection.state.timer = nil
    }

    private func waitTimeout() -> Int32 {
        var earliest = shutdownDeadline
        for list in timeouts {
            if let deadline = list.nextDeadline { earliest = min(earliest ?? deadline, deadline) }
        }
        guard let earliest else { return -1 }
        guard earliest > now else { return 0 }
        let milliseconds = (earliest - now + 999_999) / 1_000_000
        return Int32(min(milliseconds, UInt64(Int32.max)))
    }

    private func expireTimers() {
        for kind in TimerKind.allCases {
            for slot in timeouts[kind.index].expire(now: now) {
                guard let connection = connections[slot] else { continue }
                connection.state.timer = nil
                timerFired(kind, connection)
            }
        }
    }

    private func timerFired(_ kind: TimerKind, _ connection: Connection) {
        switch connection.state.timeout(kind, requestStarted: !connection.inbound.isEmpty || !connection.parser.isBetweenRequests) {
        case .requestTimedOut:
            respondWithError(connection, APIError(status: 408, code: "request_timeout", message: "the request took too long to arrive"))
        case .bodyTimedOut:
            abortUpload(connection, APIError(status: 408, code: "request_timeout", message: "the request body stopped arriving"))
        case .close:
            close(connection)
        case .heartbeat:
            heartbeat(connection)
        }
    }
}

extension TimerKind {
    var index: Int {
        switch self {
        case .request: 0
        case .idle: 1
        case .heartbeat: 2
        case .linger: 3
        }
    }
}
