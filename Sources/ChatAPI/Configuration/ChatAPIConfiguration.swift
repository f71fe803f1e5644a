import HTTP
import Postgres

/// Everything `chat-api` reads from its environment, checked at start (docs/api.md,
/// "Configuration"). A missing or invalid value throws an `EnvironmentSettingError` naming it.
public struct ChatAPIConfiguration: Sendable {
    /// `DATABASE_URL`: the libpq URL of the chat database (required).
    public var database: PostgresConfig
    /// `DATABASE_READ_URL` (optional): standbys for the reads that may lag (history, lists,
    /// search), e.g. a multi-host URL with `target_session_attrs=prefer-standby`.
    public var readDatabase: PostgresConfig?
    /// `BIND_HOST` (default 127.0.0.1) and `API_PORT` (default 8080; 0 picks a free port).
    public var host: String
    public var port: Int
    /// `CHAT_SERVICE_KEY`: the backoffice server's credential (required, at least 16 characters).
    public var serviceKey: String
    /// `CHAT_CORS_ORIGINS`: browser origins allowed to call the API.
    public var cors: CORSPolicy
    /// `DB_POOL_SIZE` (default 10): connections for request handlers (and for the rare send
    /// that must wait for a conversation another writer holds).
    public var poolSize: Int
    /// `DB_ACQUIRE_TIMEOUT_MS` (default 2000): the longest a request waits for a connection
    /// before it gets 503.
    public var acquireTimeout: Duration
    /// `SEND_RATE_PER_SECOND` (default 10) and `SEND_BURST` (default 30): each user's message
    /// budget per replica (a token bucket). A rate of 0 turns the limit off.
    public var sendRatePerSecond: Double
    public var sendBurst: Int
    /// `GROUP_COMMIT_MAX_BATCH` (default 256) and `GROUP_COMMIT_WINDOW_MS` (default 1): a
    /// batch is written when it is full or when the window since its first send has passed.
    public var groupCommitMaxBatch: Int
    public var groupCommitWindow: Duration
    /// `GROUP_COMMIT_CONNECTIONS` (default 2): batches written at once, each on its own
    /// connection, so one batch is written while another waits for its commit to be flushed.
    public var groupCommitConnections: Int
    /// `SESSION_CACHE_MS` (default 1000, at most 2000): how long a looked-up session is
    /// trusted before it is checked again (revocation elsewhere takes effect within this).
    public var sessionCacheTTL: Duration
    /// `CHAT_ATTACHMENT_SECRET`: the key of signed attachment links (required, at least 32
    /// characters). Rotating it invalidates every link handed out, nothing else.
    public var attachmentSecret: String
    /// `UPLOAD_MAX_BYTES` (default 10 MiB): the largest upload; 413 past it.
    public var uploadMaxBytes: Int
    /// `UPLOAD_CONCURRENCY` (default 32): uploads received at once by this process; past it 503.
    public var uploadConcurrency: Int
    /// `UPLOAD_DB_CONNECTIONS` (default 4): database connections for uploads and downloads,
    /// on top of `DB_POOL_SIZE`; files queue for them (30 s at most) instead of taking the
    /// connections other requests need.
    public var uploadDatabaseConnections: Int
    /// `UPLOAD_RATE_PER_MINUTE` (default 30) and `UPLOAD_BURST` (default 10): each user's upload
    /// budget per replica (a token bucket; a rate of 0 turns it off).
    public var uploadRatePerMinute: Double
    public var uploadBurst: Int
    /// `ATTACHMENT_CACHE_DIR` (default a directory of this process under `/tmp`, removed when
    /// it stops): where downloaded attachments are kept on disk, named by SHA-256, to be sent
    /// with `sendfile`. The directory is emptied at start: give each process its own.
    public var attachmentCacheDirectory: String?
    /// `ATTACHMENT_CACHE_MB` (default 1024; 0 turns the cache off): its bound on disk. Files
    /// larger than a quarter of it are always read from the database.
    public var attachmentCacheBytes: Int64
    /// `LOG_LEVEL` (default info).
    public var logLevel: LogLevel

    public init(environment: [String: String]) throws(EnvironmentSettingError) {
        let settings = EnvironmentSettings(environment)
        database = PostgresConfig(url: try settings.databaseURL("DATABASE_URL"), applicationName: "chat-api")
        // Optional: the same check as DATABASE_URL's when it is set.
        readDatabase = nil
        if settings.raw("DATABASE_READ_URL") != nil {
            readDatabase = PostgresConfig(url: try settings.databaseURL("DATABASE_READ_URL"), applicationName: "chat-api-reads")
        }
        host = try settings.bindAddress("BIND_HOST", default: "127.0.0.1")
        port = try settings.port("API_PORT", default: 8080)
        serviceKey = try settings.secret("CHAT_SERVICE_KEY", minimumLength: 16)
        cors = try CORSPolicy.fromEnvironment(environment)
        poolSize = try settings.integer("DB_POOL_SIZE", default: 10, in: 1...200)
        acquireTimeout = .milliseconds(try settings.integer("DB_ACQUIRE_TIMEOUT_MS", default: 2000, in: 50...60_000))
        sendRatePerSecond = try settings.decimal("SEND_RATE_PER_SECOND", default: 10, in: 0...1_000_000)
        sendBurst = try settings.integer("SEND_BURST", default: 30, in: 1...1_000_000)
        groupCommitMaxBatch = try settings.integer("GROUP_COMMIT_MAX_BATCH", default: 256, in: 1...4096)
        groupCommitWindow = .milliseconds(try settings.integer("GROUP_COMMIT_WINDOW_MS", default: 1, in: 0...1000))
        groupCommitConnections = try settings.integer("GROUP_COMMIT_CONNECTIONS", default: 2, in: 1...32)
        sessionCacheTTL = .milliseconds(try settings.integer("SESSION_CACHE_MS", default: 1000, in: 0...2000))
        attachmentSecret = try settings.secret("CHAT_ATTACHMENT_SECRET", minimumLength: 32)
        uploadMaxBytes = try settings.integer("UPLOAD_MAX_BYTES", default: 10 << 20, in: 1...(1 << 30))
        uploadConcurrency = try settings.integer("UPLOAD_CONCURRENCY", default: 32, in: 1...10_000)
        uploadDatabaseConnections = try settings.integer("UPLOAD_DB_CONNECTIONS", default: 4, in: 1...64)
        uploadRatePerMinute = try settings.decimal("UPLOAD_RATE_PER_MINUTE", default: 30, in: 0...1_000_000)
        uploadBurst = try settings.integer("UPLOAD_BURST", default: 10, in: 1...1_000_000)
        attachmentCacheDirectory = settings.raw("ATTACHMENT_CACHE_DIR")
        attachmentCacheBytes = Int64(try settings.integer("ATTACHMENT_CACHE_MB", default: 1024, in: 0...1_000_000)) << 20
        logLevel = try LogLevel.fromEnvironment(environment)
    }
}
