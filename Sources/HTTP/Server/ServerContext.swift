import Synchronization

/// What every event loop of one server shares: configuration, the handler, observability,
/// the listening socket, and the connection count behind `maxConnections`.
final class ServerContext: Sendable {
    let configuration: HTTPServerConfiguration
    let handler: @Sendable (HTTPRequest) async -> HTTPResponse
    /// Tried first, on the event loop: an answer that needs no task, or nil.
    let immediate: (@Sendable (HTTPRequest) -> HTTPResponse?)?
    let logger: Logger
    let metrics: ServerMetrics
    let parser: RequestParser.Configuration
    let listener: Socket
    private let openConnections = Atomic<Int>(0)
    private static let nextStreamID = Atomic<Int>(0)

    init(configuration: HTTPServerConfiguration, handler: @escaping @Sendable (HTTPRequest) async -> HTTPResponse,
         immediate: (@Sendable (HTTPRequest) -> HTTPResponse?)?, logger: Logger, metrics: MetricsRegistry?, listener: Socket) {
        self.configuration = configuration
        self.handler = handler
        self.immediate = immediate
        self.logger = logger
        self.metrics = ServerMetrics(metrics)
        self.listener = listener
        let limits = RequestHeadScanner.Limits(
            maxRequestLineBytes: configuration.maxRequestLineBytes,
            maxHeaderBytes: configuration.maxHeaderBytes,
            maxHeaderCount: configuration.maxHeaderCount)
        self.parser = RequestParser.Configuration(limits: limits) { [configuration] method, path in
            configuration.bodyRule(for: method, path: path)
        }
    }

    /// Counts a new connection, or refuses it when the server is full.
    func reserveConnection() -> Bool {
        let count = openConnections.wrappingAdd(1, ordering: .relaxed).newValue
        if count <= configuration.maxConnections { return true }
        openConnections.wrappingSubtract(1, ordering: .relaxed)
        return false
    }

    func releaseConnection() {
        openConnections.wrappingSubtract(1, ordering: .relaxed)
    }

    func makeStreamID() -> Int {
        Self.nextStreamID.wrappingAdd(1, ordering: .relaxed).newValue
    }
}
