import HTTP
import Models

/// Messages and read markers of one conversation.
struct MessageRoutes: Sendable {
    let context: APIContext

    func register(on router: Router) {
        router.add(.GET, "/v1/conversations/{id}/messages", getMessages)
        router.add(.POST, "/v1/conversations/{id}/messages", postMessage)
        router.add(.POST, "/v1/conversations/{id}/read", postRead)
    }

    /// `{"items", "has_more"}` in ascending seq: the newest `limit`, or before/after a seq.
    @Sendable func getMessages(_ request: HTTPRequest) async throws -> HTTPResponse {
        let session = try await context.caller(request).requireUser()
        let id = try ConversationID.parse(request.pathParameters["id"])
        let window = try Self.window(request)
        let page = try await context.history.page(of: id, for: session.viewer, window: window)
        return .apiJSON(200, MessagePageBody(items: page.items, hasMore: page.hasMore))
    }

    /// 201 and the message; 200 and the first one for a repeated `client_id`.
    @Sendable func postMessage(_ request: HTTPRequest) async throws -> HTTPResponse {
        let session = try await context.caller(request).requireUser()
        let id = try ConversationID.parse(request.pathParameters["id"])
        let fields = try request.decodeJSON(SendBody.self).validated()
        try context.rateLimiter.take(for: session.user.id)
        let outcome: SendOutcome
        do {
            outcome = try await context.committer.submit(
                SendRequest(conversationID: id, senderID: session.user.id, body: fields.body, clientID: fields.clientID))
        } catch let failure as SendFailure {
            throw Self.apiError(failure)
        }
        context.reads.noteWrite(by: session.user.id)
        switch outcome {
        case .created(let message): return .apiJSON(201, message)
        case .replayed(let message): return .apiJSON(200, message)
        }
    }

    /// What a client sees when its message was not stored (docs/api.md, "The write path").
    static func apiError(_ failure: SendFailure) -> APIError {
        switch failure {
        case .senderInactive: .unauthorized("this user is inactive")
        case .conversationNotFound: .conversationNotFound
        case .sendForbidden: .sendForbidden()
        case .refusedByDatabase: .invalid("body", "the message was refused by a database rule")
        case .conversationBusy: .unavailable("the conversation is busy; retry")
        case .shuttingDown: .unavailable("the service is shutting down")
        case .databaseUnavailable: .unavailable()
        case .internalError: .internalError()
        }
    }

    /// 200 `{"conversation_id", "last_read_seq", "unread_count"}`; the marker never moves back.
    @Sendable func postRead(_ request: HTTPRequest) async throws -> HTTPResponse {
        let session = try await context.caller(request).requireUser()
        let id = try ConversationID.parse(request.pathParameters["id"])
        let seq = try request.decodeJSON(ReadBody.self).validated()
        let marker = try await context.readState.markRead(id, upTo: seq, viewer: session.viewer)
        context.reads.noteWrite(by: session.user.id)
        return .apiJSON(200, marker)
    }

    /// `limit` 1..100 (default 50); at most one of `before` and `after`, each a seq >= 0.
    static func window(_ request: HTTPRequest) throws(APIError) -> MessageHistoryStore.Window {
        let limit = try request.query.int("limit", in: 1...100) ?? 50
        let before = try request.query.int("before", in: 0...Int.max)
        let after = try request.query.int("after", in: 0...Int.max)
        switch (before, after) {
        case (nil, nil): return .newest(limit: limit)
        case (let seq?, nil): return .before(seq: Int64(seq), limit: limit)
        case (nil, let seq?): return .after(seq: Int64(seq), limit: limit)
        case (.some, .some): throw APIError.badRequest("give either \"before\" or \"after\", not both")
        }
    }
}
