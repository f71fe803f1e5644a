/// One client connection. Owned by its event loop and touched only on that loop's thread.
final class Connection {
    enum Phase: Equatable {
        /// Reading (or waiting for) a request.
        case reading
        /// A request is with its handler; input is not read (pipelined bytes wait in `inbound`).
        case handling
        /// A request on a streamed route is with its handler and its body is still being
        /// read into `upload`.
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

    let id: ConnectionID
    let socket: Socket
    let remoteAddress: String
    var phase = Phase.reading
    var inbound = InboundBuffer()
    var parser: RequestParser
    var output = OutputQueue()
    var inFlight: InFlight?
    var stream: EventStream?
    /// The streamed body being received (phase `receiving`).
    var upload: RequestBodyStream?
    /// Reading stopped until the handler takes what `upload` holds.
    var uploadPaused = false
    /// The streamed response body being written (phase `writing`).
    var bodyWriter: ResponseBodyWriter?
    /// The epoll interest currently registered.
    var interest: EpollInterest
    /// The timer list this connection is armed in.
    var timer: TimerKind?
    /// Close (lingering) once `output` is written.
    var closeWhenFlushed = false
    /// The client shut down its side: no more requests will come.
    var inputClosed = false
    /// Requests answered on this connection.
    var served = 0
    var isClosed = false
    /// Some bytes reached the socket since the last heartbeat (a stalled stream has none).
    var wroteSinceHeartbeat = false

    init(id: ConnectionID, socket: Socket, remoteAddress: String, parser: RequestParser, interest: EpollInterest) {
        self.id = id
        self.socket = socket
        self.remoteAddress = remoteAddress
        self.parser = parser
        self.interest = interest
    }
}

/// The timer lists of an event loop; a connection is in at most one.
enum TimerKind: CaseIterable {
    /// A request is being received (or a new connection has sent nothing yet).
    case request
    /// Between keep-alive requests, or a response is stuck behind a client that does not read.
    case idle
    /// An open stream's next heartbeat.
    case heartbeat
    /// A lingering close.
    case linger
}
