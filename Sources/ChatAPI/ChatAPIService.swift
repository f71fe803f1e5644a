import Foundation
import HTTP
import Postgres

/// The write API as one service: every route of docs/api.md, the reference UI, `/healthz`,
/// `/readyz`, `/metrics`, and the group committer behind `POST .../messages`.
///
/// `chat-api`'s main runs it under `ServiceRunner`; tests may build it to read its routes.
/// The database may be down at start: requests get 503 until it answers, with no restart.
public final class ChatAPIService: LifecycleService {
    public let configuration: ChatAPIConfiguration
    /// Every route, frozen at the first request (tests compare it with docs/openapi.json).
    public let router: Router
    private let logger: Logger
    private let pool: PostgresPool
    private let committerPool: PostgresPool
    /// Uploads' and downloads' own connections: files never take the connections other
    /// requests need, and wait their turn here instead of failing after the short acquire timeout.
    private let attachmentPool: PostgresPool
    private let committer: GroupCommitter
    /// `DATABASE_READ_URL`'s pool, when set.
    private let readPool: PostgresPool?
    private let reads: ReadRouting
    private let server: HTTPServer
    private let attachmentCache: AttachmentCache?

    public init(configuration: ChatAPIConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        let pool = PostgresPool(config: configuration.database, maxConnections: configuration.poolSize,
                                acquireTimeout: configuration.acquireTimeout)
        self.pool = pool
        committerPool = PostgresPool(config: configuration.database, maxConnections: configuration.groupCommitConnections,
                                     acquireTimeout: configuration.acquireTimeout)
        attachmentPool = PostgresPool(config: configuration.database, maxConnections: configuration.uploadDatabaseConnections,
                                      acquireTimeout: .seconds(30))
        let registry = MetricsRegistry()
        Self.exportPoolGauges(pool, committerPool, to: registry)
        let database = Database(pool: pool, logger: logger)
        readPool = configuration.readDatabase.map {
            PostgresPool(config: $0, maxConnections: configuration.poolSize, acquireTimeout: configuration.acquireTimeout)
        }
        reads = ReadRouting(primary: database, standby: readPool.map { Database(pool: $0, logger: logger) }, metrics: registry)
        committer = GroupCommitter(
            pool: committerPool, waitingPool: pool, maxBatch: configuration.groupCommitMaxBatch,
            window: configuration.groupCommitWindow, logger: logger, metrics: CommitMetrics(registry: registry))
        let context = APIContext(
            database: database, reads: reads, serviceKey: configuration.serviceKey, sessionCacheTTL: configuration.sessionCacheTTL,
            committer: committer,
            rateLimiter: SendRateLimiter(ratePerSecond: configuration.sendRatePerSecond, burst: configuration.sendBurst),
            uploads: Uploads(
                store: UploadStore(database: Database(pool: attachmentPool, logger: logger)), links: AttachmentLinks(secret: configuration.attachmentSecret),
                gate: UploadGate(limit: configuration.uploadConcurrency),
                rateLimiter: SendRateLimiter(ratePerSecond: configuration.uploadRatePerMinute / 60, burst: configuration.uploadBurst),
                maxBytes: configuration.uploadMaxBytes,
                cache: configuration.attachmentCacheBytes == 0 ? nil : AttachmentCache(
                    directory: configuration.attachmentCacheDirectory ?? "/tmp/chat-api-attachments-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))",
                    maxBytes: configuration.attachmentCacheBytes, logger: logger)))
        attachmentCache = context.uploads.cache

        router = Router(cors: configuration.cors, logger: logger, metrics: registry)
        DirectoryRoutes(context: context).register(on: router)
        AccountRoutes(context: context).register(on: router)
        ConversationRoutes(context: context).register(on: router)
        MessageRoutes(context: context).register(on: router)
        AttachmentRoutes(context: context).register(on: router)
        AttentionRoutes(context: context).register(on: router)
        router.addOperationalRoutes(metrics: registry) { await database.isReachable() }
        StaticFiles.bundled().register(on: router)

        var serverConfiguration = HTTPServerConfiguration()
        serverConfiguration.host = configuration.host
        serverConfiguration.port = configuration.port
        server = HTTPServer(configuration: serverConfiguration, router: router, logger: logger, metrics: registry)
    }

    /// The port the server listens on (useful with `API_PORT=0`).
    public var boundPort: Int { server.boundPort }

    public func start() async throws {
        reads.start()
        attachmentCache?.open()
        try server.start()
        logger.info("chat-api listening", ["host": .string(configuration.host), "port": .int(server.boundPort)])
    }

    /// Stops accepting, finishes requests in flight (sends already queued are committed and
    /// answered), then closes the database pools.
    public func shutdown(deadline: Duration) async {
        await server.shutdown(timeout: deadline)
        await committer.shutdown()
        reads.stop()
        readPool?.close()
        pool.close()
        committerPool.close()
        attachmentPool.close()
        attachmentCache?.remove()
    }

    /// `db_pool_*` gauges (the same names as the gateway's) for the request pool, plus the
    /// committer's own connection under `chat_commit_pool_*`.
    private static func exportPoolGauges(_ pool: PostgresPool, _ committerPool: PostgresPool, to registry: MetricsRegistry) {
        registry.registerCollector {
            let stats = pool.stats
            registry.gauge("db_pool_connections_open", help: "Database connections open in the pool.").set(Double(stats.open))
            registry.gauge("db_pool_connections_in_use", help: "Database connections lent out.").set(Double(stats.inUse))
            registry.gauge("db_pool_waiters", help: "Callers waiting for a database connection.").set(Double(stats.waiters))
            let committer = committerPool.stats
            registry.gauge("chat_commit_pool_connections_open", help: "Database connections open for the group committer's writers.")
                .set(Double(committer.open))
        }
    }
}
