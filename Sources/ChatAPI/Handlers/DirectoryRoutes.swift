import ChatStore
import HTTP
import Models

/// The service endpoints (service key): directory sync and minting sessions.
struct DirectoryRoutes: Sendable {
    let context: APIContext

    func register(on router: Router) {
        router.add(.PUT, "/v1/users/{user_id}", putUser)
        router.add(.GET, "/v1/users/{user_id}", getUser)
        router.add(.PUT, "/v1/circles/{circle_id}", putCircle)
        router.add(.PUT, "/v1/circles/{circle_id}/members", bodyLimit: MembersBody.maxBodyBytes, putMembers)
        router.add(.PUT, "/v1/circles/{circle_id}/members/{user_id}", putMember)
        router.add(.DELETE, "/v1/circles/{circle_id}/members/{user_id}", deleteMember)
        router.add(.POST, "/v1/sessions", postSession)
    }

    /// 201 created / 200 updated, the user. A malformed id cannot be created: 422 `user_id`.
    @Sendable func putUser(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await context.caller(request).requireService()
        let id = try FieldRules.externalID(request.pathParameters["user_id"] ?? "", field: "user_id")
        let user = try request.decodeJSON(UserBody.self).validated(id: id)
        let created = try await context.directory.upsertUser(user)
        return .apiJSON(created ? 201 : 200, user)
    }

    @Sendable func getUser(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await context.caller(request).requireService()
        let id = try PathIDs.external(request, "user_id", notFound: "user not found")
        guard let user = try await context.directory.user(id) else { throw APIError.notFound("user not found") }
        return .apiJSON(200, user)
    }

    @Sendable func putCircle(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await context.caller(request).requireService()
        let id = try FieldRules.externalID(request.pathParameters["circle_id"] ?? "", field: "circle_id")
        let fields = try request.decodeJSON(CircleBody.self).validated()
        let (circle, created) = try await context.directory.upsertCircle(id: id, name: fields.name, url: fields.url)
        return .apiJSON(created ? 201 : 200, circle)
    }

    /// Replaces the member set: 200 `{"circle_id", "member_count"}`.
    @Sendable func putMembers(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await context.caller(request).requireService()
        let circleID = try PathIDs.external(request, "circle_id", notFound: "circle not found")
        let userIDs = try request.decodeJSON(MembersBody.self).validated()
        let count = try await context.directory.replaceMembers(circleID: circleID, userIDs: userIDs)
        return .apiJSON(200, MemberCountBody(circleID: circleID, memberCount: count))
    }

    @Sendable func putMember(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await context.caller(request).requireService()
        let circleID = try PathIDs.external(request, "circle_id", notFound: "circle not found")
        let userID = try PathIDs.external(request, "user_id", notFound: "user not found")
        try await context.directory.addMember(circleID: circleID, userID: userID)
        return .noContent()
    }

    @Sendable func deleteMember(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await context.caller(request).requireService()
        let circleID = try PathIDs.external(request, "circle_id", notFound: "circle not found")
        let userID = try PathIDs.external(request, "user_id", notFound: "user not found")
        try await context.directory.removeMember(circleID: circleID, userID: userID)
        return .noContent()
    }

    /// 201 `{"token", "user_id", "expires_at"}`; 404 for an unknown user, 422 for an inactive one.
    @Sendable func postSession(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await context.caller(request).requireService()
        let fields = try request.decodeJSON(SessionBody.self).validated()
        let minted = try await context.authenticator.mint(userID: fields.userID, ttlSeconds: fields.ttlSeconds)
        return .apiJSON(201, SessionCreatedBody(token: minted.token, userID: minted.userID, expiresAt: Timestamp.format(minted.expiresAt)))
    }
}

/// Ids taken from the path of a lookup: one that cannot exist is simply not found (404).
enum PathIDs {
    static func external(_ request: HTTPRequest, _ name: String, notFound message: String) throws(APIError) -> String {
        guard let id = request.pathParameters[name], ExternalID.isValid(id) else { throw APIError.notFound(message) }
        return id
    }
}
