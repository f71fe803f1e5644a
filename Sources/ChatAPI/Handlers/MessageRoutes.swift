import ChatStore
import Foundation
import HTTP
import Models

/// Messages and read markers of one conversation: history, sending, one message (read,
/// edit, delete), reactions.
struct MessageRoutes: Sendable {
    let context: APIContext

    func register(on router: Router) {
        router.add(.GET, "/v1/conversations/{id}/messages", getMessages)
        router.add(.POST, "/v1/conversations/{id}/messages", postMessage)
        router.add(.POST, "/v1/conversations/{id}/read", postRead)
        router.add(.GET, "/v1/conversations/{id}/messages/{message_id}", getMessage)
        router.add(.PATCH, "/v1/conversations/{id}/messages/{message_id}", patchMessage)
        router.add(.DELETE, "/v1/conversations/{id}/messages/{message_id}", deleteMessage)
        router.add(.PUT, "/v1/conversations/{id}/messages/{message_id}/reactions/{emoji}", putReaction)
        router.add(.DELETE, "/v1/conversations/{id}/messages/{message_id}/reactions/{emoji}", deleteReaction)
    }

    /// `{"items", "has_more"}` in ascending seq: the newest `limit`, or before/after a seq.
    @Sendable func getMessages(_ request: HTTPRequest) async throws -> HTTPResponse {
        let session = try await context.caller(request).requireUser()
        let id = try ConversationID.parse(request.pathParameters["id"])
        let window = try Self.window(request)
        let page = try await context.history.page(of: id, for: session.viewer, window: window)
        return .apiJSON(200, MessagePageBody(items: page.items.map(context.uploads.links.signed), hasMore: page.hasMore))
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
                SendRequest(conversationID: id, senderID: session.user.id, body: fields.body, clientID: fields.clientID,
                            replyTo: fields.replyTo, mentions: fields.mentions, attachments: fields.attachments))
        } catch let failure as SendFailure {
            throw Self.apiError(failure)
        }
        context.reads.noteWrite(by: session.user.id)
        switch outcome {
        case .created(let message): return .apiJSON(201, context.uploads.links.signed(message))
        case .replayed(let message): return .apiJSON(200, context.uploads.links.signed(message))
        }
    }

    /// What a client sees when its message was not stored (docs/api.md, "The write path").
    static func apiError(_ failure: SendFailure) -> APIError {
        switch failure {
        case .senderInactive: .unauthorized("this user is inactive")
        case .conversationNotFound: .conversationNotFound
        case .sendForbidden: .sendForbidden()
        case .replyNotQuotable: .invalid("reply_to", "reply_to must be a message of this conversation that is not deleted")
        case .attachmentsNotAvailable: .invalid("attachments", "attachments must be your own uploads, not yet attached to a message")
        case .mentionNotVisible: .invalid("mentions", "every mentioned user must see this conversation")
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

    /// 200 the message as the caller sees it.
    @Sendable func getMessage(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (session, conversation, message) = try await target(request)
        let found = try await context.messages.message(message, in: conversation, for: session.viewer)
        return .apiJSON(200, context.uploads.links.signed(found))
    }

    /// The sender's edit: 200 and the message with `edited_at` set.
    @Sendable func patchMessage(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (session, conversation, message) = try await target(request)
        let body = try request.decodeJSON(EditBody.self).validated()
        let edited = try await context.messages.edit(message, in: conversation, body: body, by: session.viewer)
        context.reads.noteWrite(by: session.user.id)
        return .apiJSON(200, context.uploads.links.signed(edited))
    }

    /// 204, idempotent: the sender's deletion or an admin's moderation.
    @Sendable func deleteMessage(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (session, conversation, message) = try await target(request)
        try await context.messages.delete(message, in: conversation, by: session.viewer)
        context.reads.noteWrite(by: session.user.id)
        return .noContent()
    }

    /// 204, idempotent.
    @Sendable func putReaction(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (session, conversation, message) = try await target(request)
        let emoji = try FieldRules.emoji(request.pathParameters["emoji"] ?? "")
        try await context.messages.react(message, in: conversation, emoji: emoji, by: session.viewer)
        context.reads.noteWrite(by: session.user.id)
        return .noContent()
    }

    /// 204, whether or not the caller had reacted so.
    @Sendable func deleteReaction(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (session, conversation, message) = try await target(request)
        let emoji = try FieldRules.emoji(request.pathParameters["emoji"] ?? "")
        try await context.messages.unreact(message, in: conversation, emoji: emoji, by: session.viewer)
        context.reads.noteWrite(by: session.user.id)
        return .noContent()
    }

    /// The caller (a user) and the conversation and message ids of the path.
    private func target(_ request: HTTPRequest) async throws -> (AuthenticatedSession, UUID, Int64) {
        let session = try await context.caller(request).requireUser()
        return (session, try ConversationID.parse(request.pathParameters["id"]), try MessageID.parse(request.pathParameters["message_id"]))
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
