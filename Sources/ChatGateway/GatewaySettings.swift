import HTTP

/// Everything `chat-gateway` reads from its environment (twelve-factor; API.md: a bad setting
/// stops the process at start with one line naming it).
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
public struct GatewaySettings: Sendable {
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
    /// How long a session lookup is trusted (API.md: a revoked token stops working within
    /// 3 seconds everywhere; revocations seen in `chat.events` evict at once).
    public var sessionCacheTTL: Duration = .seconds(2)

    public init(databaseURL: String, bindHost: String = "127.0.0.1", port: Int = 8081, cors: CORSPolicy = .disabled,
                heartbeatInterval: Duration = .seconds(15), maxBufferBytes: Int = 1 << 20, maxStreamsPerUser: Int = 10,
                eventRetention: Duration = .seconds(24 * 3600), safetyInterval: Duration = .milliseconds(1000), poolSize: Int = 4,
                logLevel: LogLevel = .info) {
        self.databaseURL = databaseURL
        self.bindHost = bindHost
        self.port = port
        self.cors = cors
        self.heartbeatInterval = heartbeatInterval
        self.maxBufferBytes = maxBufferBytes
        self.maxStreamsPerUser = maxStreamsPerUser
        self.eventRetention = eventRetention
        self.safetyInterval = safetyInterval
        self.poolSize = poolSize
        self.logLevel = logLevel
    }

    /// Reads the table above; throws naming the first bad variable.
    public static func fromEnvironment(_ env: EnvironmentSettings = EnvironmentSettings()) throws(EnvironmentSettingError) -> GatewaySettings {
        let heartbeat = try env.decimal("SSE_HEARTBEAT_SECONDS", default: 15, in: 0.05...3600)
        let retentionHours = try env.decimal("EVENT_RETENTION_HOURS", default: 24, in: 0.001...8760)
        return GatewaySettings(
            databaseURL: try env.string("DATABASE_URL", expected: "a PostgreSQL URL such as postgres://user@127.0.0.1:5432/chat"),
            bindHost: try env.bindAddress("BIND_HOST", default: "127.0.0.1"),
            port: try env.port("GATEWAY_PORT", default: 8081),
            cors: try CORSPolicy.fromEnvironment(env.values),
            heartbeatInterval: .milliseconds(Int64((heartbeat * 1000).rounded())),
            maxBufferBytes: try env.integer("SSE_MAX_BUFFER_BYTES", default: 1 << 20, in: 1024...(1 << 30)),
            maxStreamsPerUser: try env.integer("MAX_STREAMS_PER_USER", default: 10, in: 1...10_000),
            eventRetention: .milliseconds(Int64((retentionHours * 3_600_000).rounded())),
            safetyInterval: .milliseconds(try env.integer("TAIL_SAFETY_INTERVAL_MS", default: 1000, in: 10...60_000)),
            poolSize: try env.integer("DB_POOL_SIZE", default: 4, in: 1...100),
            logLevel: try LogLevel.fromEnvironment(env.values))
    }
}
