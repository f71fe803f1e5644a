import Foundation
import HTTP
import Models

/// Attention (docs/api.md, "Attention"):
/// typing, mark unread, mute, the readers of a message, and message search. Mentions ride on
/// sending (`MessageRoutes`), receipts on moving a marker (`ReadStateStore`).
struct AttentionRoutes: Sendable {
    let context: APIContext

    func register(on router: Router) {
        router.add(.POST, "/v1/conversations/{id}/typing", postTyping)
        router.add(.POST, "/v1/conversations/{id}/unread", postUnread)
        router.add(.PUT, "/v1/conversations/{id}/mute", putMute)
        router.add(.GET, "/v1/conversations/{id}/messages/{message_id}/readers", getReaders)
        router.add(.GET, "/v1/search/messages", searchMessages)
    }

    /// 204: the others who see the conversation get `typing`, unless this user's last notice
    /// in it is less than 2 s old (coalesced, nothing sent).
    @Sendable func postTyping(_ request: HTTPRequest) async throws -> HTTPResponse {
        let session = try await context.caller(request).requireUser()
        let id = try ConversationID.parse(request.pathParameters["id"])
        let coalescer = context.typing
        let user = session.user.id
        if coalescer.coalescesWithoutCheck(user: user, conversation: id.uuidString) { return .noContent() }
        try await context.attention.typing(in: id, viewer: session.viewer) {
            coalescer.shouldSend(user: user, conversation: id.uuidString)
        }
        return .noContent()
    }

    /// 200 `{"conversation_id", "last_read_seq", "unread_count", "unread_mentions"}`: the marker
    /// moves back to `seq - 1` unless it is already there or lower.
    @Sendable func postUnread(_ request: HTTPRequest) async throws -> HTTPResponse {
        let session = try await context.caller(request).requireUser()
        let id = try ConversationID.parse(request.pathParameters["id"])
        let seq = try request.decodeJSON(UnreadBody.self).validated()
        return .apiJSON(200, try await context.readState.markUnread(id, from: seq, viewer: session.viewer))
    }

    /// 200 the conversation with `muted` as asked.
    @Sendable func putMute(_ request: HTTPRequest) async throws -> HTTPResponse {
        let session = try await context.caller(request).requireUser()
        let id = try ConversationID.parse(request.pathParameters["id"])
        let body = try request.decodeJSON(MuteBody.self)
        return .apiJSON(200, try await context.readState.setMuted(id, muted: body.muted, viewer: session.viewer))
    }

    /// 200 `{"items": [{"user", "read_at"}], "count"}`.
    @Sendable func getReaders(_ request: HTTPRequest) async throws -> HTTPResponse {
        let session = try await context.caller(request).requireUser()
        let id = try ConversationID.parse(request.pathParameters["id"])
        let message = try MessageID.parse(request.pathParameters["message_id"])
        return .apiJSON(200, try await context.attention.readers(of: message, in: id, viewer: session.viewer))
    }

    /// 200 `{"items": [{"message", "conversation", "highlight"}], "next_cursor"}`, newest first.
    @Sendable func searchMessages(_ request: HTTPRequest) async throws -> HTTPResponse {
        let session = try await context.caller(request).requireUser()
        let query = try Self.single(request, "q") ?? ""
        // Counted and checked as sent, by Unicode scalar, like the directory's q (openapi.json's pattern).
        let length = query.unicodeScalars.count
        guard length >= 1, length <= Self.maxQueryLength, !query.allSatisfy(\.isWhitespace) else {
            throw APIError.badRequest("query parameter \"q\" must be 1 to \(Self.maxQueryLength) characters")
        }
        guard !query.unicodeScalars.contains(where: FieldRules.isControl) else {
            throw APIError.badRequest("query parameter \"q\" must not contain control characters")
        }
        guard let terms = SearchTerms(query) else { throw APIError.badRequest("query parameter \"q\" has no word to search for") }
        let limit = try request.query.int("limit", in: 1...50) ?? 20
        let conversation = try Self.single(request, "conversation_id").flatMap { text throws(APIError) -> UUID? in
            guard !text.isEmpty else { return nil }
            guard let id = UUID(uuidString: text) else { throw APIError.badRequest("query parameter \"conversation_id\" must be a conversation id") }
            return id
        }
        let before = try Self.single(request, "cursor").flatMap { text throws(APIError) -> Int64? in
            guard !text.isEmpty else { return nil }
            guard let id = Int64(text), id > 0, String(id) == text else { throw APIError.badRequest("query parameter \"cursor\" is not valid") }
            return id
        }
        let page = try await context.messageSearch.search(terms, in: conversation, before: before, limit: limit, viewer: session.viewer)
        let next = page.hasMore ? page.hits.last.map { String($0.message.id) } : nil
        return .apiJSON(200, SearchPageBody(items: page.hits, nextCursor: next))
    }

    /// docs/api.md: `q` is 1 to 200 characters.
    static let maxQueryLength = 200

    private static func single(_ request: HTTPRequest, _ name: String) throws(APIError) -> String? {
        let values = request.query.values(name)
        guard values.count <= 1 else { throw APIError.badRequest("query parameter \"\(name)\" is given more than once") }
        return values.first
    }
}
