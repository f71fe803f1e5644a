import Foundation
import Models
import Testing
import TestSupport

/// The dialogs' search boxes: `GET /v1/users` and `GET /v1/circles` (admins).
@Suite(.chatAPI())
struct SearchTests {
    @Test("users: name contains q (any case) or email starts with it; names starting with q first; active only")
    func users() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let tag = api.unique("zq").replacingOccurrences(of: "-", with: "")
        let starts = try await api.user(name: "\(tag) Starts", email: "s-\(tag)@example.com")
        let contains = try await api.user(name: "Has \(tag.uppercased()) Inside", email: "c-\(tag)@example.com")
        let byEmail = try await api.user(name: "Email Only", email: "\(tag)@example.com")
        let inactive = try await api.user(name: "\(tag) Gone", email: "g-\(tag)@example.com")
        try expectStatus(try await api.service("PUT", "/v1/users/\(inactive.id)", json: """
            {"name": "\(tag) Gone", "email": "g-\(tag)@example.com", "role": "member", "active": false}
            """), 200)
        let found = try await api.call("GET", "/v1/users?q=\(tag)", token: admin.token).items().compactMap { $0["id"] as? String }
        #expect(Set(found) == [starts.id, contains.id, byEmail.id])
        #expect(found.first == starts.id)
        let capitalized = try await api.call("GET", "/v1/users?q=\(tag.uppercased())&limit=1", token: admin.token).items()
        #expect(capitalized.count == 1)
        #expect(try await api.call("GET", "/v1/users?q=%25", token: admin.token).items().isEmpty)  // % matches itself
        #expect(try await api.call("GET", "/v1/users?q=_", token: admin.token).items().isEmpty)
        #expect(try await api.call("GET", "/v1/users?limit=50", token: admin.token).items().count <= 50)
        for bad in ["limit=0", "limit=51", "limit=x", "q=a&q=b", "q=\(String(repeating: "a", count: 201))", "q=%01"] {
            expectError(try await api.call("GET", "/v1/users?\(bad)", token: admin.token), 400, "bad_request")
        }
    }

    @Test("circles: name contains q; without_chat keeps circles with no chat; limits")
    func circles() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let tag = api.unique("cq").replacingOccurrences(of: "-", with: "")
        let first = try await api.circle(members: [], name: "\(tag) One")
        let second = try await api.circle(members: [], name: "Two \(tag)")
        try expectStatus(try await api.call("POST", "/v1/conversations/circle", token: admin.token,
                                            json: "{\"circle_id\": \"\(second)\", \"send_policy\": \"all_members\"}"), 201)
        let all = try await api.call("GET", "/v1/circles?q=\(tag)", token: admin.token).items()
        #expect(all.compactMap { $0["id"] as? String } == [first, second])
        #expect(all.last?["conversation_id"] is String)
        #expect(all.first?.keys.sorted() == ["conversation_id", "id", "member_count", "name", "url"])
        let withoutChat = try await api.call("GET", "/v1/circles?q=\(tag)&without_chat=true", token: admin.token).items()
        #expect(withoutChat.compactMap { $0["id"] as? String } == [first])
        let explicit = try await api.call("GET", "/v1/circles?q=\(tag)&without_chat=false", token: admin.token).items()
        #expect(explicit.count == 2)
        for bad in ["without_chat=maybe", "limit=0", "limit=51"] {
            expectError(try await api.call("GET", "/v1/circles?\(bad)", token: admin.token), 400, "bad_request")
        }
    }
}

/// `CHAT_CORS_ORIGINS`: the backoffice's origin may call from a browser; others may not.
@Suite(.chatAPI(["CHAT_CORS_ORIGINS": "https://backoffice.example.com"]))
struct CORSTests {
    @Test("a preflight from the configured origin is allowed; responses name it; other origins get no CORS headers")
    func corsFollowsTheSetting() async throws {
        let api = try harness()
        let preflight = try await api.call("OPTIONS", "/v1/conversations", headers: [
            ("Origin", "https://backoffice.example.com"), ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Headers", "authorization"),
        ])
        #expect(preflight.status == 204)
        #expect(preflight.header("Access-Control-Allow-Origin") == "https://backoffice.example.com")
        #expect(preflight.header("Access-Control-Allow-Headers")?.contains("Authorization") == true)
        let user = try await api.user()
        let allowed = try await api.call("GET", "/v1/me", token: user.token, headers: [("Origin", "https://backoffice.example.com")])
        #expect(allowed.header("Access-Control-Allow-Origin") == "https://backoffice.example.com")
        let other = try await api.call("GET", "/v1/me", token: user.token, headers: [("Origin", "https://evil.example.com")])
        #expect(other.header("Access-Control-Allow-Origin") == nil)
        let refused = try await api.call("OPTIONS", "/v1/me", headers: [("Origin", "https://evil.example.com"), ("Access-Control-Request-Method", "GET")])
        #expect(refused.status == 403)
    }
}
