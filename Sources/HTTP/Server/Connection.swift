/// One client connection. Owned by its event loop and touched only on that loop's thread.
final class Connection {
    let id: ConnectionID
    let socket: Socket
    let remoteAddress: String
    /// Phase and flags (`ConnectionState`: the decisions that need no socket).
    var state = ConnectionState()
    var inbound = InboundBuffer()
    var parser: RequestParser
    var output = OutputQueue()
    var stream: EventStream?
    /// The streamed request body being received (phase `receiving`).
    var upload: RequestBodyStream?
    /// The streamed response body being written (phase `writing`).
    var bodyWriter: ResponseBodyWriter?
    /// The epoll interest currently registered.
    var interest: EpollInterest

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
