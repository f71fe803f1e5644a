import Foundation
import Models
import Testing
import TestSupport

/// Credentials (docs/api.md, "Conventions"): 401 for a missing, unknown, expired or revoked
/// credential and for a deactivated user; 403 for the wrong kind of caller.
@Suite(.chatAPI())
struct AuthenticationTests {
    @Test("no credential is 401 on every endpoint", arguments: Endpoint.all)
    func missingCredential(endpoint: Endpoint) async throws {
        let api = try harness()
        expectError(try await api.call(endpoint.method, endpoint.path, json: endpoint.json), 401, "unauthorized")
    }

    @Test("an unknown token is 401 on every endpoint", arguments: Endpoint.all)
    func unknownToken(endpoint: Endpoint) async throws {
        let api = try harness()
        let forged = String(repeating: "A", count: 43)
        expectError(try await api.call(endpoint.method, endpoint.path, token: forged, json: endpoint.json), 401, "unauthorized")
        expectError(try await api.call(endpoint.method, endpoint.path, token: "not a token", json: endpoint.json), 401, "unauthorized")
    }

    @Test("a credential that is not a bearer token is 401")
    func otherAuthorizationSchemes() async throws {
        let api = try harness()
        for value in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", APIHarness.serviceKey] {
            expectError(try await api.call("GET", "/v1/users/someone", headers: [("Authorization", value)]), 401, "unauthorized")
        }
    }

    @Test("the service key is 403 on user and admin endpoints", arguments: Endpoint.all.filter { $0.audience != .service })
    func serviceKeyOnUserEndpoints(endpoint: Endpoint) async throws {
        let api = try harness()
        expectError(try await api.call(endpoint.method, endpoint.path, token: APIHarness.serviceKey, json: endpoint.json), 403, "forbidden")
    }

    @Test("a service key that differs in one character or in length is 401")
    func nearlyTheServiceKey() async throws {
        let api = try harness()
        var wrong = Array(APIHarness.serviceKey)
        wrong[wrong.count - 1] = wrong.last == "x" ? "y" : "x"
        for key in [String(wrong), String(APIHarness.serviceKey.dropLast()), APIHarness.serviceKey + "0"] {
            expectError(try await api.call("GET", "/v1/users/someone", token: key), 401, "unauthorized")
        }
    }

    @Test("member and admin tokens are 403 on service endpoints", arguments: Endpoint.all.filter { $0.audience == .service })
    func userTokensOnServiceEndpoints(endpoint: Endpoint) async throws {
        let api = try harness()
        for role in [Role.member, .admin] {
            let user = try await api.user(role)
            expectError(try await api.call(endpoint.method, endpoint.path, token: user.token, json: endpoint.json), 403, "forbidden")
        }
    }

    @Test("a member is 403 on admin endpoints", arguments: Endpoint.all.filter { $0.audience == .admin })
    func memberOnAdminEndpoints(endpoint: Endpoint) async throws {
        let api = try harness()
        let member = try await api.user(.member)
        expectError(try await api.call(endpoint.method, endpoint.path, token: member.token, json: endpoint.json), 403, "forbidden")
    }

    @Test("GET /v1/me answers the caller's user")
    func me() async throws {
        let api = try harness()
        let user = try await api.user(.admin, name: "Grace Hopper")
        let response = try await api.call("GET", "/v1/me", token: user.token)
        try expectStatus(response, 200)
        #expect(try response.decode(User.self) == User(id: user.id, name: "Grace Hopper", email: "\(user.id)@example.com",
                                                        avatarURL: nil, role: .admin, active: true))
    }

    @Test("DELETE /v1/sessions/current ends that token at once, and only that token")
    func logout() async throws {
        let api = try harness()
        let user = try await api.user()
        let other = try await api.token(for: user.id)
        try expectStatus(try await api.call("GET", "/v1/me", token: user.token), 200)  // now cached
        try expectStatus(try await api.call("DELETE", "/v1/sessions/current", token: user.token), 204)
        expectError(try await api.call("GET", "/v1/me", token: user.token), 401, "unauthorized")
        expectError(try await api.call("DELETE", "/v1/sessions/current", token: user.token), 401, "unauthorized")
        try expectStatus(try await api.call("GET", "/v1/me", token: other), 200)
        let revoked = try await api.database.scalar("SELECT count(*) FROM chat.events WHERE type = 'session.revoked' AND user_id = \(user.id)")
        #expect(revoked == "1")
    }

    @Test("a token revoked in the database stops working within 3 seconds")
    func revokedElsewhere() async throws {
        let api = try harness()
        let user = try await api.user()
        try expectStatus(try await api.call("GET", "/v1/me", token: user.token), 200)
        try await api.database.execute("UPDATE chat.sessions SET revoked_at = now() WHERE user_id = \(user.id)")
        try await expectUnauthorizedWithin3Seconds(api, user.token)
    }

    @Test("an expired token stops working within 3 seconds")
    func expired() async throws {
        let api = try harness()
        let user = try await api.user()
        try expectStatus(try await api.call("GET", "/v1/me", token: user.token), 200)
        try await api.database.execute("""
            UPDATE chat.sessions SET created_at = now() - interval '2 hours', expires_at = now() - interval '1 second'
             WHERE user_id = \(user.id)
            """)
        try await expectUnauthorizedWithin3Seconds(api, user.token)
    }

    @Test("a deactivated user cannot authenticate within 3 seconds, and gets no new session")
    func deactivated() async throws {
        let api = try harness()
        let user = try await api.user()
        try expectStatus(try await api.call("GET", "/v1/me", token: user.token), 200)
        try expectStatus(try await api.service("PUT", "/v1/users/\(user.id)", json: """
            {"name": "\(user.name)", "email": "\(user.id)@example.com", "role": "member", "active": false}
            """), 200)
        try await expectUnauthorizedWithin3Seconds(api, user.token)
        expectError(try await api.service("POST", "/v1/sessions", json: "{\"user_id\": \"\(user.id)\"}"), 422, "invalid", field: "user_id")
    }

    @Test("a session lasts ttl_seconds (60...2592000, default one day)")
    func sessionLifetime() async throws {
        let api = try harness()
        let user = try await api.user()
        for (ttl, expected) in [(nil, 86_400), (60, 60), (2_592_000, 2_592_000)] as [(Int?, Int)] {
            let member = ttl.map { ", \"ttl_seconds\": \($0)" } ?? ""
            let response = try await api.service("POST", "/v1/sessions", json: "{\"user_id\": \"\(user.id)\"\(member)}")
            try expectStatus(response, 201)
            let body = try response.object()
            #expect(body["user_id"] as? String == user.id)
            let token = try #require(body["token"] as? String)
            #expect(token.count >= 22)  // at least 128 bits of base64
            let expiresAt = try #require(Timestamp.parse(body["expires_at"] as? String ?? ""))
            #expect(abs(expiresAt.timeIntervalSinceNow - Double(expected)) < 30)
        }
        for bad in ["59", "2592001", "-1", "\"60\"", "1.5"] {
            expectError(try await api.service("POST", "/v1/sessions", json: "{\"user_id\": \"\(user.id)\", \"ttl_seconds\": \(bad)}"),
                        422, "invalid", field: "ttl_seconds")
        }
        expectError(try await api.service("POST", "/v1/sessions", json: #"{"user_id": "nobody-here"}"#), 404, "not_found")
        expectError(try await api.service("POST", "/v1/sessions", json: #"{"user_id": "bad id!"}"#), 422, "invalid", field: "user_id")
        expectError(try await api.service("POST", "/v1/sessions", json: #"{}"#), 422, "invalid", field: "user_id")
    }

    @Test("the token is stored only as its SHA-256")
    func tokenStoredAsHash() async throws {
        let api = try harness()
        let user = try await api.user()
        let stored = try await api.database.scalar("SELECT encode(token_hash, 'hex') FROM chat.sessions WHERE user_id = \(user.id)")
        #expect(stored?.count == 64)
        #expect(stored?.contains(user.token) == false)
        let found = try await api.database.scalar("SELECT count(*) FROM chat.sessions WHERE strpos(encode(token_hash, 'escape'), \(user.token)) > 0")
        #expect(found == "0")
    }

    private func expectUnauthorizedWithin3Seconds(_ api: APIHarness, _ token: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let refused = try await eventually(timeout: .seconds(3), every: .milliseconds(100)) {
            try await api.call("GET", "/v1/me", token: token).status == 401
        }
        #expect(refused, "the token still works after 3 seconds", sourceLocation: sourceLocation)
    }
}
