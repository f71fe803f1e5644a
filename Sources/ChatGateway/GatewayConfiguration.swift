import HTTP

/// Everything `chat-gateway` reads from its environment, checked at start the way
/// `ChatAPIConfiguration` is (docs/stream.md, "Configuration"): a missing or invalid value throws
/// an `EnvironmentSettingError` naming it.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `DATABASE_URL` | required | libpq URL of the chat database |
/// | `BIND_HOST` | `127.0.0.1` | address to listen on |
/// | `GATEWAY_PORT` | `8081` | port (0: any free port, for tests) |
/// | `CHAT_CORS_ORIGINS` | none | browser origins allowed to open streams |
/// | `SSE_HEARTBEAT_SECONDS` | `15` | comment line interval on idle streams |
/// | `SSE_MAX_BUFFER_BYTES` | `1048576` | unsent bytes a stream may hold before it is cut |
/// | `MAX_STREAMS_PER_USER` | `10` | open streams per user on this replica; past it, 429 |
/// | `EVENT_RETENTION_HOURS` | `24` | a `Last-Event-ID` older than this gets `reset` |
/// | `TAIL_SAFETY_INTERVAL_MS` | `1000` | read `chat.events` at least this often, doorbell or not |
/// | `DB_POOL_SIZE` | `4` | connections for tail, replay and session reads |
/// | `LOG_LEVEL` | `info` | `debug`, `info`, `warning`, `error` |
public struct GatewayConfiguration: Sendable {
    public var databaseURL: String
    public var bindHost: String
    public var port: Int
    public var cors: CORSPolicy
    public var heartbeatInterval: Duration
    public var maxBufferBytes: Int
    public var maxStreamsPerUser: Int
    public var eventRetention: Duration
    public var safetyInterval: Duration
    public var poolSize: Int
    public var logLevel: LogLevel

    /// How long a browser waits before reconnecting (the stream's first frame, and the last
    /// one on shutdown).
    public var retryMilliseconds: Int = 2000
    /// How long a session lookup is trusted (docs/api.md: a revoked token stops working within
    /// 3 seconds everywhere; revocations seen in `chat.events` evict at once).
    public var sessionCacheTTL: Duration = .seconds(2)

    /// Reads the table above.
    public init(environment: [String: String]) throws(EnvironmentSettingError) {
        let settings = EnvironmentSettings(environment)
        databaseURL = try settings.databaseURL("DATABASE_URL")
        bindHost = try settings.bindAddress("BIND_HOST", default: "127.0.0.1")
        port = try settings.port("GATEWAY_PORT", default: 8081)
        cors = try CORSPolicy.fromEnvironment(environment)
        heartbeatInterval = .milliseconds(rounding: 1000 * (try settings.decimal("SSE_HEARTBEAT_SECONDS", default: 15, in: 0.05...3600)))
        maxBufferBytes = try settings.integer("SSE_MAX_BUFFER_BYTES", default: 1 << 20, in: 1024...(1 << 30))
        maxStreamsPerUser = try settings.integer("MAX_STREAMS_PER_USER", default: 10, in: 1...10_000)
        eventRetention = .milliseconds(rounding: 3_600_000 * (try settings.decimal("EVENT_RETENTION_HOURS", default: 24, in: 0.001...8760)))
        safetyInterval = .milliseconds(try settings.integer("TAIL_SAFETY_INTERVAL_MS", default: 1000, in: 10...60_000))
        poolSize = try settings.integer("DB_POOL_SIZE", default: 4, in: 1...100)
        logLevel = try LogLevel.fromEnvironment(environment)
    }
}
