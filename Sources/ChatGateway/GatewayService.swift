import ChatStore
import Foundation
import HTTP
import Models
import Postgres

/// The fan-out gateway as one service: `GET /v1/stream`, `/healthz`, `/readyz`, `/metrics`,
/// the tailer of `chat.events`, and the hub that routes events to streams.
///
/// `chat-gateway`'s main runs it under `ServiceRunner`; tests may run it in-process.
public final class GatewayService: LifecycleService {
    public let configuration: GatewayConfiguration
    private let logger: Logger
    private let pool: PostgresPool
    private let metrics: GatewayMetrics
    private let hub: FanOutHub
    private let tailer: EventTailer
    private let typing: TypingRelay
    private let ageProbe: EventLogAgeProbe
    private let server: HTTPServer

    public init(configuration: GatewayConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        let config = PostgresConfig(url: configuration.databaseURL, applicationName: "chat-gateway")
        let pool = PostgresPool(config: config, maxConnections: configuration.poolSize, acquireTimeout: .seconds(5))
        self.pool = pool
        let registry = MetricsRegistry()
        let metrics = GatewayMetrics(registry: registry)
        self.metrics = metrics
        let log = EventLog(pool: pool)
        let sessions = SessionCache(ttl: configuration.sessionCacheTTL)
        let hub = FanOutHub(log: log, sessions: sessions, metrics: metrics, logger: logger, maxHeldBytes: configuration.maxBufferBytes)
        self.hub = hub
        let typing = TypingRelay(hub: hub)
        self.typing = typing
        let tailer = EventTailer(hub: hub, config: config, safetyInterval: configuration.safetyInterval, logger: logger,
                                 onTyping: { typing.accept($0) })
        self.tailer = tailer
        ageProbe = EventLogAgeProbe(log: log, gauge: metrics.oldestEventAge)
        metrics.eventRetention.set(Double(configuration.eventRetention.components.seconds))
        registry.registerCollector {
            metrics.listenerConnected.set(tailer.isListening ? 1 : 0)
            let stats = pool.stats
            registry.gauge("db_pool_connections_open", help: "Database connections open in the pool.").set(Double(stats.open))
            registry.gauge("db_pool_connections_in_use", help: "Database connections lent out.").set(Double(stats.inUse))
            registry.gauge("db_pool_waiters", help: "Callers waiting for a database connection.").set(Double(stats.waiters))
        }

        let endpoint = StreamEndpoint(
            hub: hub, log: log, sessions: sessions, starter: StreamStarter(hub: hub, log: log, metrics: metrics, logger: logger),
            configuration: configuration, metrics: metrics, logger: logger)
        let router = Router(cors: configuration.cors, logger: logger, metrics: registry)
        router.add(.GET, "/v1/stream") { request in try await endpoint.handle(request) }
        router.addOperationalRoutes(metrics: registry) {
            guard tailer.isListening, await hub.isTailing else { return false }
            return (try? await pool.withConnection { conn in try conn.query("SELECT 1 AS one").count == 1 }) ?? false
        }

        var serverConfiguration = HTTPServerConfiguration()
        serverConfiguration.host = configuration.bindHost
        serverConfiguration.port = configuration.port
        serverConfiguration.sseHeartbeatInterval = configuration.heartbeatInterval
        serverConfiguration.sseMaxBufferedBytes = configuration.maxBufferBytes
        self.server = HTTPServer(configuration: serverConfiguration, router: router, logger: logger, metrics: registry)
    }

    /// The port the server listens on (useful with `GATEWAY_PORT=0`).
    public var boundPort: Int { server.boundPort }

    /// Binds and starts tailing. The database may be down: the gateway starts anyway, answers
    /// 503 until it can read the tail position, and catches up by itself.
    public func start() async throws {
        try server.start()
        tailer.start()
        ageProbe.start()
        logger.info("chat-gateway listening", ["host": .string(configuration.bindHost), "port": .int(server.boundPort)])
    }

    /// Stops accepting, ends every stream with a `retry:` frame (the HTTP server's shutdown),
    /// stops tailing and closes the pool.
    public func shutdown(deadline: Duration) async {
        await server.shutdown(timeout: deadline)
        tailer.stop()
        typing.stop()
        ageProbe.stop()
        pool.close()
    }
}
