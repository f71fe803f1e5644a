import Synchronization

/// Maps requests to handlers by method and path template, built then frozen (as in
/// Hummingbird: a builder turned into a responder).
///
/// Register every route with `add` before the server starts. The first use of `handler` or
/// `bodyRule(method:path:)` freezes the routes into a `RouteTable` that requests read
/// without locks; adding a route after that is a programming error and stops the process
/// (a route that silently never matched would be worse).
///
/// The handler it makes does everything between the parser and a service's handler: 404 vs
/// 405 (`Allow`), path parameters, CORS, `X-Request-Id`, the error shape for thrown errors,
/// and one access log line and two metrics per request (`http_requests_total`,
/// `http_request_duration_seconds`, by method and route template).
public final class Router: Sendable {
    public let cors: CORSPolicy
    let logger: Logger
    let requestMetrics: RequestMetrics?
    private let pending = Mutex<[RouteTable.Endpoint]>([])
    private let frozen = AtomicLazyReference<RouteTable>()

    /// - Parameters:
    ///   - cors: which browser origins may call (none by default).
    ///   - logger: receives the access lines and the errors handlers throw.
    ///   - metrics: where request counts and latencies go; nil records none.
    public init(cors: CORSPolicy = .disabled, logger: Logger = Logger(label: "http"), metrics: MetricsRegistry? = nil) {
        self.cors = cors
        self.logger = logger
        self.requestMetrics = metrics.map(RequestMetrics.init)
    }

    /// Registers `handler` for `method` on `template` (`/v1/conversations/{id}/messages`).
    /// `bodyLimit` overrides the server's default maximum body size for this route;
    /// `streamedBody` hands the body to the handler in pieces (`HTTPRequest.bodyStream`)
    /// while it arrives instead of reading it whole first (uploads).
    public func add(_ method: HTTPMethod, _ template: String, bodyLimit: Int? = nil, streamedBody: Bool = false,
                    _ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) {
        precondition(!streamedBody || bodyLimit != nil, "a streamed route needs its own body limit")
        register(RouteTable.Endpoint(method: method, template: RouteTemplate(template), bodyLimit: bodyLimit,
                                     streamedBody: streamedBody, handler: .suspending(handler)))
    }

    /// Registers a handler that answers without waiting for anything (no database, no other
    /// task: static files, in-memory answers). The server runs it on the event loop that read
    /// the request, with no task and no thread hop in between; it must be quick.
    public func addImmediate(_ method: HTTPMethod, _ template: String, bodyLimit: Int? = nil,
                             _ handler: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse) {
        register(RouteTable.Endpoint(method: method, template: RouteTemplate(template), bodyLimit: bodyLimit,
                                     streamedBody: false, handler: .immediate(handler)))
    }

    private func register(_ endpoint: RouteTable.Endpoint) {
        pending.withLock { pending in
            precondition(frozen.load() == nil, "Router.add(\(endpoint.method), \(endpoint.template.text)) after the router was frozen")
            pending.append(endpoint)
        }
    }

    /// Every registered route in registration order (`HEAD` implied by `GET` is not listed).
    public var routes: [(method: HTTPMethod, template: String)] {
        pending.withLock { $0.map { ($0.method, $0.template.text) } }
    }

    /// The body limit of the route `method` and `path` reach, or nil for the server default
    /// (also when nothing matches: the request will get 404 or 405 anyway).
    public func bodyLimit(method: HTTPMethod, path: String) -> Int? {
        bodyRule(method: method, path: path)?.limit
    }

    /// The body rule of the route `method` and `path` reach, or nil for the server default.
    /// The server calls it (once per request) before reading a body.
    public func bodyRule(method: HTTPMethod, path: String) -> RequestBodyRule? {
        guard let endpoint = table().match(path)?.node.endpoint(for: method), let limit = endpoint.bodyLimit else { return nil }
        return RequestBodyRule(limit: limit, streamed: endpoint.streamedBody)
    }

    /// The function the server calls for every request. Never throws: every failure is already
    /// a response.
    public var handler: @Sendable (HTTPRequest) async -> HTTPResponse {
        let responder = responder
        return { request in await responder(request).response() }
    }

    /// What the server calls on the event loop for every request: the answer now (an
    /// `immediate` route, a 404, a 405, an `OPTIONS`) or the task that will make it. The route
    /// is matched once either way.
    public var responder: @Sendable (HTTPRequest) -> HTTPAnswer {
        let table = table()
        return { [self] request in self.answer(request, table: table) }
    }

    /// The frozen table, built on first use. Building happens under the same lock as `add`,
    /// so no route can slip in between reading the list and publishing the table.
    func table() -> RouteTable {
        if let table = frozen.load() { return table }
        return pending.withLock { pending in
            frozen.load() ?? frozen.storeIfNil(RouteTable(pending))
        }
    }
}
