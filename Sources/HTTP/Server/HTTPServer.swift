import Synchronization

/// An HTTP/1.1 server on epoll: one event loop thread per core, all accepting from one
/// listening socket, handlers run as tasks.
///
/// ```swift
/// let server = HTTPServer(configuration: config, router: router, logger: logger, metrics: metrics)
/// try server.start()
/// // ... on SIGTERM:
/// await server.shutdown(deadline: .now + .seconds(9))
/// ```
///
/// Requests on one connection are answered in order; a request's handler starts only once
/// the previous response is written. Everything the engine refuses by itself (malformed
/// requests, limits, timeouts, a full server) is answered in the API error shape with
/// `Connection: close`.
public final class HTTPServer: Sendable {
    private enum State {
        case idle
        case running(context: ServerContext, loops: [EventLoop], exited: CompletionLatch)
        case stopped
    }

    private let configuration: HTTPServerConfiguration
    private let responder: @Sendable (HTTPRequest) -> HTTPAnswer
    private let logger: Logger
    private let metrics: MetricsRegistry?
    private let state = Mutex(State.idle)
    private let port = Atomic<Int>(0)

    /// - Parameters:
    ///   - handler: called for every request that parsed; never blocks a loop (it runs as a task).
    ///   - logger: receives the engine's own lines (rejected requests, slow consumers, errors).
    ///   - metrics: where connection, stream and byte counts go; nil records none.
    public convenience init(configuration: HTTPServerConfiguration = .init(), logger: Logger = Logger(label: "http"),
                            metrics: MetricsRegistry? = nil, handler: @escaping @Sendable (HTTPRequest) async -> HTTPResponse) {
        self.init(configuration: configuration, logger: logger, metrics: metrics) { request in .later { await handler(request) } }
    }

    /// `responder` is called on the event loop for every request that parsed: it must not block
    /// (what waits goes in the `.later` task).
    init(configuration: HTTPServerConfiguration, logger: Logger, metrics: MetricsRegistry?,
         responder: @escaping @Sendable (HTTPRequest) -> HTTPAnswer) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        self.metrics = metrics
    }

    /// A server for `router`, using its per-route body rules.
    public convenience init(configuration: HTTPServerConfiguration = .init(), router: Router,
                            logger: Logger = Logger(label: "http"), metrics: MetricsRegistry? = nil) {
        var configuration = configuration
        configuration.bodyRule = { method, path in router.bodyRule(method: method, path: path) }
        self.init(configuration: configuration, logger: logger, metrics: metrics, responder: router.responder)
    }

    /// The port the server listens on (the chosen one when configured with port 0); 0 before `start()`.
    public var boundPort: Int { port.load(ordering: .relaxed) }

    /// Binds and starts the event loops. Throws, with the address and the reason, if the
    /// address is not an IP literal or cannot be bound.
    public func start() throws(HTTPServerError) {
        try state.withLock { (state) throws(HTTPServerError) in
            guard case .idle = state else { throw HTTPServerError("the server was already started") }
            guard let address = SocketAddress(host: configuration.host, port: configuration.port) else {
                throw HTTPServerError("cannot listen on \(configuration.host):\(configuration.port): the host must be an IPv4 or IPv6 address and the port 0-65535")
            }
            guard configuration.loopCount > 0 else { throw HTTPServerError("loopCount must be at least 1") }
            let listener: Socket
            do {
                listener = try Socket.listen(on: address, backlog: configuration.listenBacklog)
            } catch {
                throw HTTPServerError("cannot listen on \(address): \(error)")
            }
            let context = ServerContext(configuration: configuration, responder: responder, logger: logger,
                                        metrics: metrics, listener: listener)
            let exited = CompletionLatch(count: configuration.loopCount)
            var loops: [EventLoop] = []
            do {
                for index in 0..<configuration.loopCount {
                    loops.append(try EventLoop(index: index, context: context) { exited.arrive() })
                }
            } catch {
                listener.close()
                throw HTTPServerError("cannot create an event loop: \(error)")
            }
            port.store(listener.localAddress?.port ?? configuration.port, ordering: .relaxed)
            for loop in loops { loop.start() }
            state = .running(context: context, loops: loops, exited: exited)
        }
    }

    /// Graceful shutdown: stop accepting, let requests in flight finish and be written, end
    /// every stream with a final `retry:` frame, close idle connections; whatever is still
    /// open at `deadline` is closed. Returns when every loop has stopped.
    public func shutdown(deadline: ContinuousClock.Instant) async {
        let running = state.withLock { state -> (ServerContext, [EventLoop], CompletionLatch)? in
            guard case .running(let context, let loops, let exited) = state else { return nil }
            state = .stopped
            return (context, loops, exited)
        }
        guard let (context, loops, exited) = running else { return }
        let remaining = ContinuousClock.now < deadline ? (deadline - ContinuousClock.now).nanoseconds : 0
        let monotonicDeadline = configuration.clock.now() &+ remaining
        for loop in loops { loop.inbox.post(.beginShutdown(deadline: monotonicDeadline)) }
        await exited.wait()
        context.listener.close()
    }

    /// `shutdown(deadline: .now + timeout)`.
    public func shutdown(timeout: Duration = .seconds(10)) async {
        await shutdown(deadline: .now + timeout)
    }
}

/// Why a server could not start.
public struct HTTPServerError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
