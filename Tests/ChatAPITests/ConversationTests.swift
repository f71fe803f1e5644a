import Foundation
import Models
import Testing
import TestSupport

/// Starting and changing conversations, and who sees them (docs/api.md, "User endpoints" and
/// "Who sees what").
@Suite(.chatAPI())
struct ConversationTests {
    @Test("a direct chat: 201 the first time, 200 with the same conversation after, from either admin's side")
    func directGetOrCreate() async throws {
        let api = try harness()
        let admin = try await api.user(.admin, name: "Ann Admin")
        let user = try await api.user(name: "Ada Lovelace", email: nil)
        let created = try await api.call("POST", "/v1/conversations/direct", token: admin.token, json: "{\"user_id\": \"\(user.id)\"}")
        try expectStatus(created, 201)
        let body = try created.object()
        #expect(body["kind"] as? String == "direct")
        #expect(body["title"] as? String == "Ada Lovelace")
        #expect(body["custom_title"] is NSNull)
        #expect(body["circle"] is NSNull)
        #expect(body["member_count"] as? Int == 2)
        #expect(body["send_policy"] as? String == "all_members")
        #expect(body["can_send"] as? Bool == true)
        #expect(body["last_message"] is NSNull)
        #expect(body["unread_count"] as? Int == 0)
        #expect(body["last_read_seq"] as? Int == 0)
        let peer = try #require(body["peer"] as? [String: Any])
        #expect(peer["id"] as? String == user.id)
        #expect(peer["email"] as? String == "\(user.id)@example.com")
        #expect(peer.keys.sorted() == ["avatar_url", "email", "id", "name"])
        #expect(body.keys.sorted() == ["can_send", "circle", "created_at", "custom_title", "id", "kind", "last_activity_at",
                                       "last_message", "last_read_seq", "member_count", "muted", "peer", "peer_last_read_seq",
                                       "send_policy", "title", "unread_count", "unread_mentions"])
        #expect(Timestamp.parse(body["created_at"] as? String ?? "") != nil)
        #expect((body["created_at"] as? String)?.hasSuffix("Z") == true)
        let again = try await api.call("POST", "/v1/conversations/direct", token: admin.token, json: "{\"user_id\": \"\(user.id)\"}")
        try expectStatus(again, 200)
        #expect(try again.object()["id"] as? String == body["id"] as? String)
        // The user sees the admin as the peer.
        let seen = try await api.call("GET", "/v1/conversations/\(body["id"] as? String ?? "")", token: user.token)
        try expectStatus(seen, 200)
        #expect((try seen.object()["peer"] as? [String: Any])?["id"] as? String == admin.id)
        #expect(try seen.object()["title"] as? String == "Ann Admin")
    }

    @Test("two admins of one pair clicking at once get one conversation: one 201, the rest 200")
    func directConcurrentClicks() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let user = try await api.user()
        let responses = try await withThrowingTaskGroup(of: HTTPTestResponse.self) { group in
            for _ in 0..<12 {
                group.addTask { try await api.call("POST", "/v1/conversations/direct", token: admin.token, json: "{\"user_id\": \"\(user.id)\"}") }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(responses.filter { $0.status == 201 }.count == 1)
        #expect(responses.filter { $0.status == 200 }.count == 11)
        #expect(Set(try responses.map { try $0.object()["id"] as? String ?? "" }).count == 1)
        #expect(try await api.database.scalar("""
            SELECT count(*) FROM chat.conversations WHERE kind = 'direct' AND \(user.id)::text IN (direct_user_low, direct_user_high)
            """) == "1")
    }

    @Test("a direct chat is refused with oneself, an inactive user, an unknown or malformed id")
    func directRefusals() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let inactive = try await api.user()
        try expectStatus(try await api.service("PUT", "/v1/users/\(inactive.id)", json: """
            {"name":"Gone","email":"gone@example.com","role":"member","active":false}
            """), 200)
        expectError(try await api.call("POST", "/v1/conversations/direct", token: admin.token,
                                       json: "{\"user_id\": \"nobody-\(api.unique("n"))\"}"), 404, "not_found")
        for userID in [admin.id, inactive.id, "bad id", ""] {
            expectError(try await api.call("POST", "/v1/conversations/direct", token: admin.token, json: "{\"user_id\": \(JSONText.quote(userID))}"),
                        422, "invalid", field: "user_id")
        }
        expectError(try await api.call("POST", "/v1/conversations/direct", token: admin.token, json: "{}"), 422, "invalid", field: "user_id")
        expectError(try await api.call("POST", "/v1/conversations/direct", token: admin.token, json: "{\"user_id\": 7}"), 422, "invalid", field: "user_id")
    }

    @Test("a circle chat: 201; a blank title means the circle's name; one per circle (409 naming it)")
    func circleChatCreate() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let members = [try await api.user(), try await api.user()]
        let circle = try await api.circle(members: members, name: "Night Shift")
        try expectStatus(try await api.service("PUT", "/v1/circles/\(circle)", json: #"{"name":"Night Shift","url":"https://bo.example.com/c/9"}"#), 200)
        let created = try await api.call("POST", "/v1/conversations/circle", token: admin.token, json: """
            {"circle_id": "\(circle)", "title": "   ", "send_policy": "admins_only"}
            """)
        try expectStatus(created, 201)
        let body = try created.object()
        #expect(body["kind"] as? String == "circle")
        #expect(body["title"] as? String == "Night Shift")
        #expect(body["custom_title"] is NSNull)
        #expect(body["peer"] is NSNull)
        #expect(body["member_count"] as? Int == 2)
        #expect(body["send_policy"] as? String == "admins_only")
        #expect(body["can_send"] as? Bool == true)
        let circleObject = try #require(body["circle"] as? [String: Any])
        #expect(circleObject["id"] as? String == circle)
        #expect(circleObject["name"] as? String == "Night Shift")
        #expect(circleObject["url"] as? String == "https://bo.example.com/c/9")
        let id = try #require(body["id"] as? String)
        let conflict = try await api.call("POST", "/v1/conversations/circle", token: admin.token, json: """
            {"circle_id": "\(circle)", "send_policy": "all_members"}
            """)
        expectError(conflict, 409, "conflict")
        #expect(((try conflict.object()["error"] as? [String: Any])?["conversation_id"] as? String) == id)
        let fetchedCircle = try await api.service("PUT", "/v1/circles/\(circle)", json: #"{"name":"Night Shift","url":"https://bo.example.com/c/9"}"#)
        #expect(try fetchedCircle.object()["conversation_id"] as? String == id)
        // A member sees it, with can_send false under admins_only.
        let asMember = try await api.call("GET", "/v1/conversations/\(id)", token: members[0].token)
        try expectStatus(asMember, 200)
        #expect(try asMember.object()["can_send"] as? Bool == false)
    }

    @Test("circle chat bodies: send_policy required and known, circle must exist, title rules")
    func circleChatRefusals() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let circle = try await api.circle(members: [])
        let cases: [(String, String)] = [
            ("{\"circle_id\": \"\(circle)\"}", "send_policy"),
            ("{\"circle_id\": \"\(circle)\", \"send_policy\": \"everyone\"}", "send_policy"),
            ("{\"circle_id\": \"\(circle)\", \"send_policy\": null}", "send_policy"),
            ("{\"send_policy\": \"all_members\"}", "circle_id"),
            ("{\"circle_id\": \"bad id\", \"send_policy\": \"all_members\"}", "circle_id"),
            ("{\"circle_id\": \"\(circle)\", \"send_policy\": \"all_members\", \"title\": \"\(String(repeating: "t", count: 201))\"}", "title"),
            ("{\"circle_id\": \"\(circle)\", \"send_policy\": \"all_members\", \"title\": \"a\\u0000b\"}", "title"),
            ("{\"circle_id\": \"\(circle)\", \"send_policy\": \"all_members\", \"title\": 3}", "title"),
        ]
        for (json, field) in cases {
            expectError(try await api.call("POST", "/v1/conversations/circle", token: admin.token, json: json), 422, "invalid", field: field)
        }
        expectError(try await api.call("POST", "/v1/conversations/circle", token: admin.token,
                                       json: "{\"circle_id\": \"no-such-\(api.unique("c"))\", \"send_policy\": \"all_members\"}"),
                    404, "not_found")
        let ok = try await api.call("POST", "/v1/conversations/circle", token: admin.token, json: """
            {"circle_id": "\(circle)", "send_policy": "all_members", "title": "  \(String(repeating: "t", count: 200))  "}
            """)
        try expectStatus(ok, 201)
        #expect(try ok.object()["custom_title"] as? String == String(repeating: "t", count: 200))
    }

    @Test("PATCH changes a circle chat's title and policy; a blank title goes back to the circle's name")
    func patch() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let member = try await api.user()
        let chat = try await api.circleChat(admin, members: [member], title: "Announcements")
        let path = "/v1/conversations/\(chat.conversation)"
        let retitled = try await api.call("PATCH", path, token: admin.token, json: #"{"title":"News","send_policy":"admins_only"}"#)
        try expectStatus(retitled, 200)
        #expect(try retitled.object()["title"] as? String == "News")
        #expect(try retitled.object()["custom_title"] as? String == "News")
        #expect(try retitled.object()["send_policy"] as? String == "admins_only")
        let untouched = try await api.call("PATCH", path, token: admin.token, json: #"{}"#)
        try expectStatus(untouched, 200)
        #expect(try untouched.object()["title"] as? String == "News")
        let policyOnly = try await api.call("PATCH", path, token: admin.token, json: #"{"send_policy":"all_members"}"#)
        #expect(try policyOnly.object()["title"] as? String == "News")
        #expect(try policyOnly.object()["send_policy"] as? String == "all_members")
        for blank in ["\"\"", "\"  \"", "null"] {
            let reset = try await api.call("PATCH", path, token: admin.token, json: "{\"title\": \(blank)}")
            try expectStatus(reset, 200)
            #expect(try reset.object()["custom_title"] is NSNull)
            #expect(try reset.object()["title"] as? String == "Circle \(chat.circle)")
        }
        expectError(try await api.call("PATCH", path, token: admin.token, json: #"{"send_policy":"nobody"}"#), 422, "invalid", field: "send_policy")
        expectError(try await api.call("PATCH", path, token: admin.token, json: #"{"send_policy":null}"#), 422, "invalid", field: "send_policy")
        expectError(try await api.call("PATCH", path, token: admin.token, json: "{\"title\":\"\(String(repeating: "x", count: 201))\"}"), 422, "invalid", field: "title")
        expectError(try await api.call("PATCH", path, token: member.token, json: #"{"title":"Mine"}"#), 403, "forbidden")
        let updates = try await api.database.scalar("SELECT count(*) FROM chat.events WHERE type = 'conversation.updated' AND conversation_id = \(chat.conversation)::uuid")
        #expect(updates == "3")  // title+policy, policy, title reset (unchanged PATCHes emit nothing)
    }

    @Test("PATCH of a direct chat: 422 for its admin, 404 for an admin who is not in it")
    func patchDirect() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let otherAdmin = try await api.user(.admin)
        let user = try await api.user()
        let direct = try await api.directChat(admin, user)
        expectError(try await api.call("PATCH", "/v1/conversations/\(direct)", token: admin.token, json: #"{"title":"x"}"#), 422, "invalid", field: "title")
        expectError(try await api.call("PATCH", "/v1/conversations/\(direct)", token: otherAdmin.token, json: #"{"title":"x"}"#), 404, "not_found")
        expectError(try await api.call("PATCH", "/v1/conversations/not-a-uuid", token: admin.token, json: #"{"title":"x"}"#), 404, "not_found")
    }

    @Test("who sees what: participants and admins see a conversation; everyone else gets 404, never 403")
    func visibility() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let otherAdmin = try await api.user(.admin)
        let user = try await api.user()
        let stranger = try await api.user()
        let member = try await api.user()
        let direct = try await api.directChat(admin, user)
        let circleChat = try await api.circleChat(admin, members: [member])
        let seen: [(TestUser, String, Int)] = [
            (admin, direct, 200), (user, direct, 200), (otherAdmin, direct, 404), (stranger, direct, 404), (member, direct, 404),
            (admin, circleChat.conversation, 200), (otherAdmin, circleChat.conversation, 200), (member, circleChat.conversation, 200),
            (user, circleChat.conversation, 404), (stranger, circleChat.conversation, 404),
        ]
        for (viewer, conversation, status) in seen {
            for path in ["", "/members", "/messages"] {
                let response = try await api.call("GET", "/v1/conversations/\(conversation)\(path)", token: viewer.token)
                #expect(response.status == status, "\(viewer.id) GET \(path): \(response.text)")
                if status == 404 { #expect(response.errorCode == "not_found") }
            }
            let read = try await api.call("POST", "/v1/conversations/\(conversation)/read", token: viewer.token, json: #"{"seq":0}"#)
            #expect(read.status == status, "\(viewer.id) read: \(read.text)")
            let send = try await api.send(viewer, conversation, "hello")
            #expect(send.status == (status == 200 ? 201 : 404), "\(viewer.id) send: \(send.text)")
        }
        for bad in ["00000000-0000-4000-8000-000000000000", "nope", "7c0e"] {
            expectError(try await api.call("GET", "/v1/conversations/\(bad)", token: admin.token), 404, "not_found")
        }
    }

    @Test("members: both users of a direct chat; the circle's current members of a circle chat")
    func members() async throws {
        let api = try harness()
        let admin = try await api.user(.admin, name: "Zed Admin")
        let user = try await api.user(name: "Amy")
        let direct = try await api.directChat(admin, user)
        let directMembers = try await api.call("GET", "/v1/conversations/\(direct)/members", token: user.token).items()
        #expect(directMembers.map { $0["id"] as? String } == [user.id, admin.id])
        #expect(directMembers.first?.keys.sorted() == ["active", "avatar_url", "email", "id", "name", "role"])
        let member = try await api.user(name: "Bea")
        let chat = try await api.circleChat(admin, members: [member, user])
        let circleMembers = try await api.call("GET", "/v1/conversations/\(chat.conversation)/members", token: admin.token).items()
        #expect(circleMembers.map { $0["id"] as? String } == [user.id, member.id])
    }
}
