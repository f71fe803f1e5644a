/// The engine's own instruments. Requests that reach the router are counted there (with
/// their route); the engine counts what only it sees: connections, streams, bytes, and the
/// requests it answers itself (malformed, too large, over capacity) under route `unparsed`.
struct ServerMetrics: Sendable {
    let openConnections: Gauge?
    let openStreams: Gauge?
    let bytesWritten: Counter?
    let slowConsumerDisconnects: Counter?
    let rejectedConnections: Counter?
    private let registry: MetricsRegistry?

    init(_ registry: MetricsRegistry?) {
        self.registry = registry
        openConnections = registry?.gauge("http_open_connections", help: "Open client connections.")
        openStreams = registry?.gauge("http_open_streams", help: "Open Server-Sent Events streams.")
        bytesWritten = registry?.counter("http_bytes_written_total", help: "Bytes written to client sockets.")
        slowConsumerDisconnects = registry?.counter(
            "http_sse_slow_consumer_disconnects_total", help: "Streams closed because the client did not read fast enough.")
        rejectedConnections = registry?.counter(
            "http_connections_rejected_total", help: "Connections refused with 503 because the server was at its connection limit.")
    }

    /// A request the engine answered without calling the handler.
    func recordEngineResponse(status: Int) {
        registry?.counter("http_requests_total", help: "HTTP requests by method, route template and status.",
                          labels: ["method": "other", "route": "unparsed", "status": String(status)]).increment()
    }
}
