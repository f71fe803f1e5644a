import HTTP
import Models

/// A user's own account and the search boxes of the dialogs.
struct AccountRoutes: Sendable {
    let context: APIContext

    /// Longer search text than any name is surely not a search.
    static let maxQueryLength = 200

    func register(on router: Router) {
        router.add(.GET, "/v1/me", getMe)
        router.add(.DELETE, "/v1/sessions/current", deleteCurrentSession)
        router.add(.GET, "/v1/users", searchUsers)
        router.add(.GET, "/v1/circles", searchCircles)
        router.add(.GET, "/v1/unread", getUnread)
    }

    @Sendable func getMe(_ request: HTTPRequest) async throws -> HTTPResponse {
        let session = try await context.caller(request).requireUser()
        return .apiJSON(200, session.user)
    }

    /// 204; the token stops working at once here, within the cache time elsewhere.
    @Sendable func deleteCurrentSession(_ request: HTTPRequest) async throws -> HTTPResponse {
        let session = try await context.caller(request).requireUser()
        try await context.authenticator.revoke(session, token: request.bearerToken ?? "")
        return .noContent()
    }

    /// Admins: `{"items": [user...]}`, `q` matching names (contains) or emails (prefix).
    @Sendable func searchUsers(_ request: HTTPRequest) async throws -> HTTPResponse {
        _ = try await context.caller(request).requireAdmin()
        let query = try Self.searchText(request)
        let limit = try request.query.int("limit", in: 1...50) ?? 20
        return .apiJSON(200, ItemList(items: try await context.search.users(matching: query, limit: limit)))
    }

    /// Admins: `{"items": [circle...]}`; `without_chat=true` keeps circles with no chat yet.
    @Sendable func searchCircles(_ request: HTTPRequest) async throws -> HTTPResponse {
        _ = try await context.caller(request).requireAdmin()
        let query = try Self.searchText(request)
        let withoutChat = try request.query.bool("without_chat") ?? false
        let limit = try request.query.int("limit", in: 1...50) ?? 20
        return .apiJSON(200, ItemList(items: try await context.search.circles(matching: query, withoutChat: withoutChat, limit: limit)))
    }

    /// `{"direct", "circle", "total"}`: unread messages, for the nav badges.
    @Sendable func getUnread(_ request: HTTPRequest) async throws -> HTTPResponse {
        let session = try await context.caller(request).requireUser()
        return .apiJSON(200, try await context.readState.unreadTotals(for: session.viewer))
    }

    /// `q`, trimmed; absent or empty matches everyone. The rules apply to `q` as sent (as
    /// openapi.json's pattern does): a tab or a 201st character is refused even at the ends.
    static func searchText(_ request: HTTPRequest) throws(APIError) -> String {
        let values = request.query.values("q")
        guard values.count <= 1 else { throw APIError.badRequest("query parameter \"q\" is given more than once") }
        let text = values.first ?? ""
        guard text.unicodeScalars.count <= maxQueryLength else {
            throw APIError.badRequest("query parameter \"q\" must be at most \(maxQueryLength) characters")
        }
        guard !text.unicodeScalars.contains(where: FieldRules.isControl) else {
            throw APIError.badRequest("query parameter \"q\" must not contain control characters")
        }
        return text.trimmingWhiteSpace()
    }
}
