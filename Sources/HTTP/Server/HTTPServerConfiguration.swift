import Foundation

/// Everything an `HTTPServer` can be tuned with. The defaults are the ones docs/api.md and the
/// architecture promise; services override them from their environment.
public struct HTTPServerConfiguration: Sendable {
    /// An IPv4 or IPv6 literal (`127.0.0.1`, `::1`, `0.0.0.0`, `::`) or `localhost`.
    public var host = "127.0.0.1"
    /// 0 picks a free port (see `HTTPServer.boundPort`).
    public var port = 8080
    /// Event loop threads; one per core by default.
    public var loopCount = max(1, ProcessInfo.processInfo.activeProcessorCount)
    public var listenBacklog: Int32 = 1024

    /// Request line limit (414 for an overlong target, else 400).
    public var maxRequestLineBytes = 8192
    /// Header section limit, all field lines together (431).
    public var maxHeaderBytes = 16384
    /// Header field count limit (431).
    public var maxHeaderCount = 100
    /// Default largest request body (413 past it); 64 KiB as docs/api.md says.
    public var maxBodyBytes = 65536
    /// A route's own body rule (limit, streamed or not), asked before the body is read
    /// (`Router.bodyRule(method:path:)`); nil from it, or no function, means `maxBodyBytes`, read whole.
    public var bodyRule: (@Sendable (HTTPMethod, String) -> RequestBodyRule?)?

    /// Time allowed from a connection's first byte (or its opening) to a complete request,
    /// head and body: slow clients (slowloris) are cut off after it.
    public var requestHeaderTimeout: Duration = .seconds(10)
    /// How long a keep-alive connection may sit between requests, and how long a response
    /// may wait for a client that does not read it.
    public var idleTimeout: Duration = .seconds(60)
    /// After an error response, how long input is still read and discarded before closing, so
    /// the client sees the response instead of a reset.
    public var lingerTimeout: Duration = .seconds(2)
    /// Open connections across all loops; past it new ones get 503 and are closed.
    public var maxConnections = 10_000

    /// A `: ping` comment is written on every idle stream this often (proxies, dead peers).
    public var sseHeartbeatInterval: Duration = .seconds(15)
    /// Bytes a stream may have waiting to be written before it is closed as a slow consumer.
    public var sseMaxBufferedBytes = 1 << 20
    /// The kernel send buffer of a stream's socket (`SO_SNDBUF`; Linux doubles it). Without a
    /// cap, loopback and fast links let the kernel absorb megabytes per stream before
    /// `sseMaxBufferedBytes` is ever reached, so the bound would not bound memory.
    public var sseSocketSendBufferBytes = 64 << 10
    /// On shutdown each stream ends with `retry: <ms>`, picked in this range so reconnecting
    /// clients spread out.
    public var sseShutdownRetryMilliseconds: ClosedRange<Int> = 1000...5000

    /// The clock every timer uses (monotonic nanoseconds); replaced in tests.
    var clock = MonotonicClock.system

    public init() {}

    /// How the body of a request for `method` and `path` is taken.
    func bodyRule(for method: HTTPMethod, path: String) -> RequestBodyRule {
        bodyRule?(method, path) ?? RequestBodyRule(limit: maxBodyBytes)
    }
}
