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
    public let settings: GatewaySettings
    private let logger: Logger
    private let pool: PostgresPool
    private let metrics: GatewayMetrics
    private let hub: FanOutHub
    private let tailer: EventTailer
    private let ageProbe: EventLogAgeProbe
    private let server: HTTPServer

    public init(settings: GatewaySettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        let config = PostgresConfig(url: settings.databaseURL, applicationName: "chat-gateway")
        let pool = PostgresPool(config: config, maxConnections: settings.poolSize, acquireTimeout: .seconds(5))
        self.pool = pool
        let registry = MetricsRegistry()
        let metrics = GatewayMetrics(registry: registry)
        self.metrics = metrics
        let log = EventLog(pool: pool)
        let sessions = SessionCache(ttl: settings.sessionCacheTTL)
        let hub = FanOutHub(log: log, sessions: sessions, metrics: metrics, logger: logger, maxHeldBytes: settings.maxBufferBytes)
        self.hub = hub
        let tailer = EventTailer(hub: hub, config: config, safetyInterval: settings.safetyInterval, logger: logger)
        self.tailer = tailer
        ageProbe = EventLogAgeProbe(log: log, gauge: metrics.oldestEventAge)
        metrics.eventRetention.set(Double(settings.eventRetention.components.seconds))
        registry.registerCollector {
            metrics.listenerConnected.set(tailer.isListening ? 1 : 0)
            let stats = pool.stats
            registry.gauge("db_pool_connections_open", help: "Database connections open in the pool.").set(Double(stats.open))
            registry.gauge("db_pool_connections_in_use", help: "Database connections lent out.").set(Double(stats.inUse))
            registry.gauge("db_pool_waiters", help: "Callers waiting for a database connection.").set(Double(stats.waiters))
        }

        let endpoint = StreamEndpoint(
            hub: hub, log: log, sessions: sessions, starter: StreamStarter(hub: hub, log: log, metrics: metrics, logger: logger),
            settings: settings, metrics: metrics, logger: logger)
        let router = Router(cors: settings.cors, logger: logger, metrics: registry)
        router.add(.GET, "/v1/stream") { request in try await endpoint.handle(request) }
        router.addOperationalRoutes(metrics: registry) {
            guard tailer.isListening, await hub.isTailing else { return false }
            return (try? await pool.withConnection { conn in try conn.query("SELECT 1 AS one").count == 1 }) ?? false
        }

        var configuration = HTTPServerConfiguration()
        configuration.host = settings.bindHost
        configuration.port = settings.port
        configuration.sseHeartbeatInterval = settings.heartbeatInterval
        configuration.sseMaxBufferedBytes = settings.maxBufferBytes
        self.server = HTTPServer(configuration: configuration, router: router, logger: logger, metrics: registry)
    }

    /// The port the server listens on (useful with `GATEWAY_PORT=0`).
    public var boundPort: Int { server.boundPort }

    /// Binds and starts tailing. The database may be down: the gateway starts anyway, answers
    /// 503 until it can read the tail position, and catches up by itself.
    public func start() async throws {
        try server.start()
        tailer.start()
        ageProbe.start()
        logger.info("chat-gateway listening", ["host": .string(settings.bindHost), "port": .int(server.boundPort)])
    }

    /// Stops accepting, ends every stream with a `retry:` frame (the HTTP server's shutdown),
    /// stops tailing and closes the pool.
    public func shutdown(deadline: Duration) async {
        await server.shutdown(timeout: deadline)
        tailer.stop()
        ageProbe.stop()
        pool.close()
    }
}
