import Foundation
import Models
import Testing
import TestSupport

/// `GET /v1/conversations`: by kind, newest activity first, an opaque cursor that neither skips
/// nor repeats, the fields of the list pages.
@Suite(.chatAPI())
struct ConversationListTests {
    @Test("direct and circle lists hold what the caller may see, newest activity first, with the list fields")
    func listsByKind() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let users = [try await api.user(name: "First"), try await api.user(name: "Second")]
        let first = try await api.directChat(admin, users[0])
        let second = try await api.directChat(admin, users[1])
        let chat = try await api.circleChat(admin, members: [users[0]], policy: .adminsOnly)
        try await api.sent(users[0], first, "newest\nline two")
        let direct = try await api.call("GET", "/v1/conversations?kind=direct", token: admin.token)
        try expectStatus(direct, 200)
        let items = try direct.items()
        #expect(items.map { $0["id"] as? String } == [first, second])
        #expect(try direct.object()["next_cursor"] is NSNull)
        let last = try #require(items[0]["last_message"] as? [String: Any])
        #expect(last["body_preview"] as? String == "newest line two")
        #expect((last["sender"] as? [String: Any])?["id"] as? String == users[0].id)
        #expect(last.keys.sorted() == ["body_preview", "created_at", "deleted", "id", "sender", "seq"])
        #expect(items[0]["unread_count"] as? Int == 1)
        #expect(items[0]["title"] as? String == "First")
        let circles = try await api.call("GET", "/v1/conversations?kind=circle", token: users[0].token).items()
        #expect(circles.map { $0["id"] as? String } == [chat.conversation])
        #expect(circles[0]["send_policy"] as? String == "admins_only")
        #expect(circles[0]["can_send"] as? Bool == false)
        #expect(circles[0]["member_count"] as? Int == 1)
        #expect(try await api.call("GET", "/v1/conversations?kind=circle", token: users[1].token).items().isEmpty)
        let both = try await api.call("GET", "/v1/conversations", token: users[0].token).items()
        #expect(both.map { $0["id"] as? String } == [first, chat.conversation])
    }

    @Test("bad list parameters are 400")
    func badParameters() async throws {
        let api = try harness()
        let user = try await api.user()
        for query in ["kind=group", "limit=0", "limit=101", "limit=x", "cursor=%%%", "cursor=bm90IGEgY3Vyc29y", "cursor=abc*def",
                      "kind=direct&kind=circle", "cursor=\(String(repeating: "A", count: 200))"] {
            expectError(try await api.call("GET", "/v1/conversations?\(query)", token: user.token), 400, "bad_request")
        }
    }

    @Test("paging with the cursor neither skips nor repeats while messages arrive in conversations already seen")
    func cursorPaging() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        var conversations: [String] = []
        for _ in 0..<7 {
            let user = try await api.user()
            let conversation = try await api.directChat(admin, user)
            try await api.sent(user, conversation, "hello")
            conversations.append(conversation)
        }
        let expected = Array(conversations.reversed())  // newest activity first
        var seen: [String] = []
        var cursor: String?
        repeat {
            let query = "/v1/conversations?kind=direct&limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
            let response = try await api.call("GET", query, token: admin.token)
            try expectStatus(response, 200)
            let page = try response.items().compactMap { $0["id"] as? String }
            #expect(page.count <= 2)
            seen.append(contentsOf: page)
            // New activity in a conversation already listed moves it to the top, behind the cursor.
            if let already = seen.first { try await api.sent(admin, already, "more") }
            cursor = try response.object()["next_cursor"] as? String
        } while cursor != nil
        #expect(seen == expected)
        #expect(Set(seen).count == seen.count)
    }

    @Test("the cursor keeps full timestamp precision: conversations active in the same millisecond are all listed")
    func cursorPrecision() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        var ids: [String] = []
        for _ in 0..<5 { ids.append(try await api.directChat(admin, try await api.user())) }
        try await api.database.execute("""
            UPDATE chat.conversations SET last_activity_at = timestamptz '2026-01-01 00:00:00.123456+00'
             WHERE id = ANY(\(ids)::uuid[])
            """)
        var seen: [String] = []
        var cursor: String?
        repeat {
            let response = try await api.call("GET", "/v1/conversations?kind=direct&limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: admin.token)
            seen.append(contentsOf: try response.items().compactMap { $0["id"] as? String })
            cursor = try response.object()["next_cursor"] as? String
        } while cursor != nil
        #expect(Set(seen) == Set(ids))
        #expect(seen.count == ids.count)
    }
}
