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
    let messageSearch: MessageSearchStore
    let attention: AttentionStore
    let typing = TypingCoalescer()
    let committer: GroupCommitter
    let rateLimiter: SendRateLimiter
    /// Where reads that may lag go; told of each user's writes (read-your-writes).
    let reads: ReadRouting
    let uploads: Uploads

    init(database: Database, reads: ReadRouting, serviceKey: String, sessionCacheTTL: Duration, committer: GroupCommitter,
         rateLimiter: SendRateLimiter, uploads: Uploads) {
        authenticator = Authenticator(serviceKey: ServiceKey(serviceKey), cache: SessionCache(ttl: sessionCacheTTL), database: database)
        directory = DirectoryStore(database: database)
        conversations = ConversationStore(database: database, reads: reads)
        history = MessageHistoryStore(reads: reads)
        messages = MessageStore(database: database)
        readState = ReadStateStore(database: database)
        search = SearchStore(reads: reads)
        messageSearch = MessageSearchStore(database: database)
        attention = AttentionStore(database: database)
        self.reads = reads
        self.committer = committer
        self.rateLimiter = rateLimiter
        self.uploads = uploads
    }

    func caller(_ request: HTTPRequest) async throws -> Caller {
        try await authenticator.caller(of: request)
    }
}
