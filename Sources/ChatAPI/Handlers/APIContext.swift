import ChatStore
import HTTP

/// What the route handlers share: authentication, the stores, the committer and the limiter.
struct APIContext: Sendable {
    let authenticator: Authenticator
    let directory: DirectoryStore
    let conversations: ConversationStore
    let history: MessageHistoryStore
    let messages: MessageStore
    let readState: ReadStateStore
    let search: SearchStore
    let committer: GroupCommitter
    let rateLimiter: SendRateLimiter
    let uploads: Uploads

    init(database: Database, serviceKey: String, sessionCacheTTL: Duration, committer: GroupCommitter, rateLimiter: SendRateLimiter,
         uploads: Uploads) {
        authenticator = Authenticator(serviceKey: ServiceKey(serviceKey), cache: SessionCache(ttl: sessionCacheTTL), database: database)
        directory = DirectoryStore(database: database)
        conversations = ConversationStore(database: database)
        history = MessageHistoryStore(database: database)
        messages = MessageStore(database: database)
        readState = ReadStateStore(database: database)
        search = SearchStore(database: database)
        self.committer = committer
        self.rateLimiter = rateLimiter
        self.uploads = uploads
    }

    func caller(_ request: HTTPRequest) async throws -> Caller {
        try await authenticator.caller(of: request)
    }
}
