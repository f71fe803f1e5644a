import HTTP
import Models

/// Conversations: start (direct, circle), change, list, one, members.
struct ConversationRoutes: Sendable {
    let context: APIContext

    func register(on router: Router) {
        router.add(.POST, "/v1/conversations/direct", postDirect)
        router.add(.POST, "/v1/conversations/circle", postCircle)
        router.add(.PATCH, "/v1/conversations/{id}", patchConversation)
        router.add(.GET, "/v1/conversations", listConversations)
        router.add(.GET, "/v1/conversations/{id}", getConversation)
        router.add(.GET, "/v1/conversations/{id}/members", getMembers)
    }

    /// Admins: 201 and the new chat, or 200 and the existing one with that user.
    @Sendable func postDirect(_ request: HTTPRequest) async throws -> HTTPResponse {
        let session = try await context.caller(request).requireAdmin()
        let body = try request.decodeJSON(DirectChatBody.self)
        let userID = try FieldRules.externalID(body.userID, field: "user_id")
        let (view, created) = try await context.conversations.openDirect(admin: session.viewer, with: userID)
        context.reads.noteWrite(by: session.user.id)
        return .apiJSON(created ? 201 : 200, view)
    }

    /// Admins: 201 and the circle's chat; 409 naming `conversation_id` when it has one.
    @Sendable func postCircle(_ request: HTTPRequest) async throws -> HTTPResponse {
        let session = try await context.caller(request).requireAdmin()
        let fields = try request.decodeJSON(CircleChatBody.self).validated()
        let view = try await context.conversations.createCircleChat(
            admin: session.viewer, circleID: fields.circleID, title: fields.title, policy: fields.policy)
        context.reads.noteWrite(by: session.user.id)
        return .apiJSON(201, view)
    }

    @Sendable func patchConversation(_ request: HTTPRequest) async throws -> HTTPResponse {
        let session = try await context.caller(request).requireAdmin()
        let id = try ConversationID.parse(request.pathParameters["id"])
        let change = try request.decodeJSON(ConversationPatchBody.self).validated()
        let view = try await context.conversations.update(id, admin: session.viewer, title: change.title, policy: change.policy)
        context.reads.noteWrite(by: session.user.id)
        return .apiJSON(200, view)
    }

    /// `{"items", "next_cursor"}`, newest activity first; `kind` optional (both kinds).
    @Sendable func listConversations(_ request: HTTPRequest) async throws -> HTTPResponse {
        let session = try await context.caller(request).requireUser()
        let kind = try Self.kind(request)
        let limit = try request.query.int("limit", in: 1...100) ?? 50
        let cursorValues = request.query.values("cursor")
        guard cursorValues.count <= 1 else { throw APIError.badRequest("query parameter \"cursor\" is given more than once") }
        let cursor = try cursorValues.first.flatMap { text throws(APIError) in
            text.isEmpty ? nil : try ConversationCursor(encoded: text)
        }
        let page = try await context.conversations.list(for: session.viewer, kind: kind, after: cursor, limit: limit)
        return .apiJSON(200, ConversationListBody(items: page.items, nextCursor: page.next?.encoded))
    }

    @Sendable func getConversation(_ request: HTTPRequest) async throws -> HTTPResponse {
        let session = try await context.caller(request).requireUser()
        let id = try ConversationID.parse(request.pathParameters["id"])
        return .apiJSON(200, try await context.conversations.conversation(id, for: session.viewer))
    }

    @Sendable func getMembers(_ request: HTTPRequest) async throws -> HTTPResponse {
        let session = try await context.caller(request).requireUser()
        let id = try ConversationID.parse(request.pathParameters["id"])
        return .apiJSON(200, ItemList(items: try await context.conversations.members(of: id, for: session.viewer)))
    }

    static func kind(_ request: HTTPRequest) throws(APIError) -> ConversationKind? {
        let values = request.query.values("kind")
        guard values.count <= 1 else { throw APIError.badRequest("query parameter \"kind\" is given more than once") }
        guard let text = values.first, !text.isEmpty else { return nil }
        guard let kind = ConversationKind(rawValue: text) else {
            throw APIError.badRequest("query parameter \"kind\" must be direct or circle")
        }
        return kind
    }
}
