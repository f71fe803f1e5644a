import Foundation
import Models
import Testing

/// Where docs/openapi.json and the service once disagreed (found by Tests/fuzz/run): each test
/// holds the service to what the file now states.
@Suite(.chatAPI())
struct OpenAPIAgreementTests {
    @Test("an optional member given as null is taken as absent (the file declares these nullable)")
    func nullIsAbsent() async throws {
        let api = try harness()
        let id = api.unique("nulls")
        let user = try await api.service("PUT", "/v1/users/\(id)", json: """
            {"name": "N", "email": "n@example.com", "role": "member", "avatar_url": null, "active": null}
            """)
        try expectStatus(user, 201)
        #expect(try user.object()["active"] as? Bool == true)
        #expect(try user.object()["avatar_url"] is NSNull)
        let session = try await api.service("POST", "/v1/sessions", json: "{\"user_id\": \"\(id)\", \"ttl_seconds\": null}")
        try expectStatus(session, 201)
        let expiresAt = try #require(Timestamp.parse(try session.object()["expires_at"] as? String ?? ""))
        #expect(abs(expiresAt.timeIntervalSinceNow - 86_400) < 30)

        let admin = try await api.user(.admin)
        let (_, conversation) = try await api.circleChat(admin, members: [], policy: .adminsOnly)
        let sent = try await api.call("POST", "/v1/conversations/\(conversation)/messages", token: admin.token,
                                      json: #"{"body": "hello", "client_id": null}"#)
        try expectStatus(sent, 201)
        #expect(try sent.object()["client_id"] is NSNull)
    }

    @Test("links and emails are checked by Unicode scalar: a combining mark or an emoji modifier after `/` or `@` is fine")
    func scalarLevelPrefixes() async throws {
        let api = try harness()
        for (avatar, email) in [("HTtPs://\\ud83c\\udffbx", "a@\\u0301b"), ("/\\u0301x", "@\\ud83c\\udffb"), ("http://\\u0301", "a@")] {
            let response = try await api.service("PUT", "/v1/users/\(api.unique("marks"))", json: """
                {"name": "N", "email": "\(email)", "role": "member", "avatar_url": "\(avatar)"}
                """)
            try expectStatus(response, 201)
        }
        for avatar in ["//\\u0301x", "ftp://x", "javascript:alert(1)", "\\u0301/x"] {
            expectError(try await api.service("PUT", "/v1/users/\(api.unique("marks"))", json: """
                {"name": "N", "email": "a@b", "role": "member", "avatar_url": "\(avatar)"}
                """), 422, "invalid", field: "avatar_url")
        }
    }

    @Test("q's rules apply to q as sent: a control character or a 201st character is 400 even at the ends")
    func searchTextAsSent() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        for path in ["/v1/users", "/v1/circles"] {
            for bad in ["ada%09", "%0Aada", "%20" + String(repeating: "a", count: 200), String(repeating: "a", count: 200) + "%20"] {
                expectError(try await api.call("GET", "\(path)?q=\(bad)", token: admin.token), 400, "bad_request")
            }
            try expectStatus(try await api.call("GET", "\(path)?q=\(String(repeating: "a", count: 200))", token: admin.token), 200)
            try expectStatus(try await api.call("GET", "\(path)?q=%20ada%20", token: admin.token), 200)
        }
    }

    @Test("any 32 characters of base64url are a cursor (the file's pattern), the extremes included")
    func anyWellFormedCursor() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        for cursor in [String(repeating: "A", count: 32), String(repeating: "_", count: 32), "f" + String(repeating: "_", count: 31),
                       "gAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "0123456789abcdefghijklmnopqrstuv"] {
            let page = try await api.call("GET", "/v1/conversations?cursor=\(cursor)", token: admin.token)
            try expectStatus(page, 200)
        }
        let oldest = try await api.call("GET", "/v1/conversations?cursor=gAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", token: admin.token)
        #expect(try oldest.items().isEmpty, "nothing is older than the year 1")
        for cursor in [String(repeating: "A", count: 31), String(repeating: "A", count: 33), String(repeating: "A", count: 31) + "+"] {
            expectError(try await api.call("GET", "/v1/conversations?cursor=\(cursor)", token: admin.token), 400, "bad_request")
        }
    }
}
