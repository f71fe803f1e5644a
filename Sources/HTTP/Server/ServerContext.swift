import Synchronization

/// What every event loop of one server shares: configuration, the handler, observability,
/// the listening socket, and the connection count behind `maxConnections`.
final class ServerContext: Sendable {
    let configuration: HTTPServerConfiguration
    /// Called on the event loop for every request: the answer now, or the task that makes it.
    let responder: @Sendable (HTTPRequest) -> HTTPAnswer
    let logger: Logger
    let metrics: ServerMetrics
    let parser: RequestParser.Configuration
    let listener: Socket
    private let openConnections = Atomic<Int>(0)
    private static let nextStreamID = Atomic<Int>(0)

    init(configuration: HTTPServerConfiguration, responder: @escaping @Sendable (HTTPRequest) -> HTTPAnswer,
         logger: Logger, metrics: MetricsRegistry?, listener: Socket) {
        self.configuration = configuration
        self.responder = responder
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
