import Foundation
import Models
import Testing
import TestSupport

/// Directory sync with the service key (docs/api.md, "Service endpoints"): users, circles and
/// membership, all idempotent, every field checked.
@Suite(.chatAPI())
struct DirectorySyncTests {
    @Test("PUT user creates (201) then updates (200), and GET returns it")
    func userUpsert() async throws {
        let api = try harness()
        let id = api.unique("sync")
        let path = "/v1/users/\(id)"
        let created = try await api.service("PUT", path, json: #"{"name":"Ada","email":"ada@example.com","role":"member","avatar_url":"https://example.com/a.png"}"#)
        try expectStatus(created, 201)
        #expect(try created.decode(User.self) == User(id: id, name: "Ada", email: "ada@example.com",
                                                       avatarURL: "https://example.com/a.png", role: .member, active: true))
        let again = try await api.service("PUT", path, json: #"{"name":"Ada","email":"ada@example.com","role":"member","avatar_url":"https://example.com/a.png"}"#)
        try expectStatus(again, 200)
        let changed = try await api.service("PUT", path, json: #"{"name":"Ada L.","email":"ada@example.com","role":"admin","active":false}"#)
        try expectStatus(changed, 200)
        let fetched = try await api.service("GET", path)
        try expectStatus(fetched, 200)
        #expect(try fetched.decode(User.self) == User(id: id, name: "Ada L.", email: "ada@example.com", avatarURL: nil, role: .admin, active: false))
        #expect(try fetched.object().keys.sorted() == ["active", "avatar_url", "email", "id", "name", "role"])
    }

    @Test("an unchanged user PUT writes nothing (no event, no new updated_at)")
    func unchangedUserWritesNothing() async throws {
        let api = try harness()
        let id = api.unique("still")
        let body = #"{"name":"Still","email":"still@example.com","role":"member"}"#
        try expectStatus(try await api.service("PUT", "/v1/users/\(id)", json: body), 201)
        let before = try await api.database.scalar("SELECT updated_at::text FROM chat.users WHERE id = \(id)")
        try expectStatus(try await api.service("PUT", "/v1/users/\(id)", json: body), 200)
        #expect(try await api.database.scalar("SELECT updated_at::text FROM chat.users WHERE id = \(id)") == before)
        try expectStatus(try await api.service("PUT", "/v1/users/\(id)", json: #"{"name":"Still","email":"still@example.com","role":"admin"}"#), 200)
        #expect(try await api.database.scalar("SELECT count(*) FROM chat.events WHERE type = 'user.updated' AND user_id = \(id)") == "1")
    }

    @Test("GET of an unknown or impossible user id is 404")
    func unknownUser() async throws {
        let api = try harness()
        expectError(try await api.service("GET", "/v1/users/nobody-\(api.unique("x"))"), 404, "not_found")
        expectError(try await api.service("GET", "/v1/users/bad%20id"), 404, "not_found")
        expectError(try await api.service("GET", "/v1/users/\(String(repeating: "a", count: 65))"), 404, "not_found")
    }

    @Test("user ids: 1-64 of A-Z a-z 0-9 . _ : @ -")
    func userIDRule() async throws {
        let api = try harness()
        let body = #"{"name":"N","email":"n@example.com","role":"member"}"#
        try expectStatus(try await api.service("PUT", "/v1/users/\(String(repeating: "a", count: 64))", json: body), [200, 201])
        try expectStatus(try await api.service("PUT", "/v1/users/A.z_0:9@x-\(api.unique("i"))", json: body), 201)
        for bad in [String(repeating: "b", count: 65), "sp%20ace", "semi%3Bcolon", "quote%27", "%C3%A9t%C3%A9", "slash%2Fx"] {
            expectError(try await api.service("PUT", "/v1/users/\(bad)", json: body), 422, "invalid", field: "user_id")
        }
    }

    @Test("user fields are checked: empty, too long by one, wrong type, missing, bad values")
    func userFieldRules() async throws {
        let api = try harness()
        let path = "/v1/users/\(api.unique("rules"))"
        let name200 = String(repeating: "é", count: 200)
        try expectStatus(try await api.service("PUT", path, json: "{\"name\":\"\(name200)\",\"email\":\"e@example.com\",\"role\":\"member\"}"), 201)
        let cases: [(String, String)] = [
            (#"{"email":"e@example.com","role":"member"}"#, "name"),
            (#"{"name":"","email":"e@example.com","role":"member"}"#, "name"),
            (#"{"name":"   ","email":"e@example.com","role":"member"}"#, "name"),
            ("{\"name\":\"\(String(repeating: "é", count: 201))\",\"email\":\"e@example.com\",\"role\":\"member\"}", "name"),
            (#"{"name":"a\u0007b","email":"e@example.com","role":"member"}"#, "name"),
            (#"{"name":5,"email":"e@example.com","role":"member"}"#, "name"),
            (#"{"name":null,"email":"e@example.com","role":"member"}"#, "name"),
            (#"{"name":"N","role":"member"}"#, "email"),
            (#"{"name":"N","email":"","role":"member"}"#, "email"),
            (#"{"name":"N","email":"no-at-sign","role":"member"}"#, "email"),
            ("{\"name\":\"N\",\"email\":\"\(String(repeating: "e", count: 309))@example.com\",\"role\":\"member\"}", "email"),
            (#"{"name":"N","email":"a b@example.com","role":"member"}"#, "email"),
            (#"{"name":"N","email":"e@example.com"}"#, "role"),
            (#"{"name":"N","email":"e@example.com","role":"owner"}"#, "role"),
            (#"{"name":"N","email":"e@example.com","role":"ADMIN"}"#, "role"),
            (#"{"name":"N","email":"e@example.com","role":"member","active":"yes"}"#, "active"),
            (#"{"name":"N","email":"e@example.com","role":"member","avatar_url":"javascript:alert(1)"}"#, "avatar_url"),
            (#"{"name":"N","email":"e@example.com","role":"member","avatar_url":""}"#, "avatar_url"),
            (#"{"name":"N","email":"e@example.com","role":"member","avatar_url":7}"#, "avatar_url"),
            ("{\"name\":\"N\",\"email\":\"e@example.com\",\"role\":\"member\",\"avatar_url\":\"https://x/\(String(repeating: "a", count: 2040))\"}", "avatar_url"),
        ]
        for (json, field) in cases {
            expectError(try await api.service("PUT", path, json: json), 422, "invalid", field: field)
        }
        let email320 = String(repeating: "e", count: 308) + "@example.com"
        try expectStatus(try await api.service("PUT", path, json: "{\"name\":\"N\",\"email\":\"\(email320)\",\"role\":\"member\",\"avatar_url\":\"/avatars/n.png\"}"), 200)
    }

    @Test("bodies: malformed JSON and non-objects are 400, bad UTF-8 is 400, other media types 415")
    func bodyFormat() async throws {
        let api = try harness()
        let path = "/v1/users/\(api.unique("fmt"))"
        for json in ["{", "{\"name\": }", "[]", "\"text\"", "", "{\"name\":\"N\"} trailing", "nul\u{0}"] {
            expectError(try await api.service("PUT", path, json: json), 400, "bad_request")
        }
        let invalidUTF8: [UInt8] = Array(#"{"name":"N"#.utf8) + [0xC3, 0x28] + Array(#"","email":"e@example.com","role":"member"}"#.utf8)
        expectError(try await api.call("PUT", path, token: APIHarness.serviceKey, body: invalidUTF8,
                                       headers: [("Content-Type", "application/json")]), 400, "bad_request")
        let valid = Array(#"{"name":"N","email":"e@example.com","role":"member"}"#.utf8)
        for type in ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"] {
            expectError(try await api.call("PUT", path, token: APIHarness.serviceKey, body: valid, headers: [("Content-Type", type)]),
                        415, "unsupported_media_type")
        }
        expectError(try await api.call("PUT", path, token: APIHarness.serviceKey, body: valid), 415, "unsupported_media_type")
        try expectStatus(try await api.call("PUT", path, token: APIHarness.serviceKey, body: valid,
                                            headers: [("Content-Type", "application/json; charset=utf-8")]), 201)
    }

    @Test("unknown request fields are ignored")
    func unknownFieldsIgnored() async throws {
        let api = try harness()
        try expectStatus(try await api.service("PUT", "/v1/users/\(api.unique("extra"))",
                                               json: #"{"name":"N","email":"e@example.com","role":"member","shoe_size":44,"nested":{"a":[1]}}"#), 201)
    }

    @Test("SQL-looking and unusual text is stored verbatim")
    func verbatimText() async throws {
        let api = try harness()
        let id = api.unique("sql")
        let name = "Robert'); DROP TABLE chat.users;-- \\ % _ \"quoted\" 🙂"
        try expectStatus(try await api.service("PUT", "/v1/users/\(id)", json: """
            {"name": \(JSONText.quote(name)), "email": "x'or'1'='1@example.com", "role": "member"}
            """), 201)
        let user = try await api.service("GET", "/v1/users/\(id)").decode(User.self)
        #expect(user.name == name)
        #expect(user.email == "x'or'1'='1@example.com")
        #expect(try await api.database.scalar("SELECT count(*) FROM chat.users") != "0")
    }

    @Test("PUT circle creates (201) then updates (200); the circle shows member_count and conversation_id")
    func circleUpsert() async throws {
        let api = try harness()
        let id = api.unique("c")
        let created = try await api.service("PUT", "/v1/circles/\(id)", json: #"{"name":"Sales","url":"https://backoffice.example.com/circles/7"}"#)
        try expectStatus(created, 201)
        let body = try created.object()
        #expect(body["id"] as? String == id)
        #expect(body["name"] as? String == "Sales")
        #expect(body["url"] as? String == "https://backoffice.example.com/circles/7")
        #expect(body["member_count"] as? Int == 0)
        #expect(body.keys.contains("conversation_id") && body["conversation_id"] is NSNull)
        let updated = try await api.service("PUT", "/v1/circles/\(id)", json: #"{"name":"Sales EU"}"#)
        try expectStatus(updated, 200)
        #expect(try updated.object()["url"] is NSNull)
        try expectStatus(try await api.service("PUT", "/v1/circles/\(id)", json: #"{"name":"Sales EU"}"#), 200)
        for (json, field) in [(#"{}"#, "name"), (#"{"name":""}"#, "name"), (#"{"name":" "}"#, "name"),
                              ("{\"name\":\"\(String(repeating: "n", count: 201))\"}", "name"),
                              (#"{"name":"N","url":"ftp://x"}"#, "url"), (#"{"name":"N","url":false}"#, "url")] {
            expectError(try await api.service("PUT", "/v1/circles/\(id)", json: json), 422, "invalid", field: field)
        }
        expectError(try await api.service("PUT", "/v1/circles/bad%24id", json: #"{"name":"N"}"#), 422, "invalid", field: "circle_id")
    }

    @Test("membership: replace the set, add one, remove one, all idempotent")
    func membership() async throws {
        let api = try harness()
        let users = try await withThrowingTaskGroup(of: TestUser.self) { group in
            for _ in 0..<4 { group.addTask { try await api.user() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let circle = try await api.circle(members: [])
        func members() async throws -> [String] {
            try await api.database.rows("SELECT user_id FROM chat.circle_members WHERE circle_id = \(circle) ORDER BY user_id").map { $0["user_id"]!! }
        }
        let replace = { (ids: [String]) in
            try await api.service("PUT", "/v1/circles/\(circle)/members", json: "{\"user_ids\": [\(ids.map { "\"\($0)\"" }.joined(separator: ","))]}")
        }
        let first = try await replace([users[0].id, users[1].id, users[1].id])
        try expectStatus(first, 200)
        #expect(try first.object()["circle_id"] as? String == circle)
        #expect(try first.object()["member_count"] as? Int == 2)
        #expect(try await members() == [users[0].id, users[1].id].sorted())
        try expectStatus(try await replace([users[1].id, users[2].id]), 200)
        #expect(try await members() == [users[1].id, users[2].id].sorted())
        try expectStatus(try await replace([users[1].id, users[2].id]), 200)
        try expectStatus(try await api.service("PUT", "/v1/circles/\(circle)/members/\(users[3].id)"), 204)
        try expectStatus(try await api.service("PUT", "/v1/circles/\(circle)/members/\(users[3].id)"), 204)
        #expect(try await members().count == 3)
        try expectStatus(try await api.service("DELETE", "/v1/circles/\(circle)/members/\(users[1].id)"), 204)
        try expectStatus(try await api.service("DELETE", "/v1/circles/\(circle)/members/\(users[1].id)"), 204)
        #expect(try await members() == [users[2].id, users[3].id].sorted())
        let emptied = try await replace([])
        #expect(try emptied.object()["member_count"] as? Int == 0)
        #expect(try await members().isEmpty)
    }

    @Test("a member set takes bodies up to 4 MiB (API.md): 20,000 long ids are read in one call; one byte more is 413")
    func largeMemberSet() async throws {
        let api = try harness()
        let members = [try await api.user(), try await api.user()]
        let circle = try await api.circle(members: [])
        let path = "/v1/circles/\(circle)/members"
        // 20,000 ids of 64 characters (1.3 MB): read and checked; none is a user, so 404.
        let ids = (1...20_000).map { "\"\(String(repeating: "x", count: 58))\(String(format: "%06d", $0))\"" }.joined(separator: ",")
        let many = "{\"user_ids\": [\(ids)]}"
        #expect(many.utf8.count > 1_300_000)
        expectError(try await api.service("PUT", path, json: many), 404, "not_found")
        // Up to 4,194,304 bytes are taken (the padding is an unknown member, ignored); one more is 413.
        let open = Array("{\"user_ids\": [\"\(members[0].id)\", \"\(members[1].id)\"], \"pad\": \"".utf8), close = Array("\"}".utf8)
        func body(_ size: Int) -> [UInt8] { open + Array(repeating: UInt8(ascii: "p"), count: size - open.count - close.count) + close }
        let json = [("Content-Type", "application/json")]
        let largest = try await api.call("PUT", path, token: APIHarness.serviceKey, body: body(4 * 1024 * 1024), headers: json)
        try expectStatus(largest, 200)
        #expect(try largest.object()["member_count"] as? Int == 2)
        expectError(try await api.call("PUT", path, token: APIHarness.serviceKey, body: body(4 * 1024 * 1024 + 1), headers: json),
                    413, "payload_too_large")
        #expect(try await api.database.scalar("SELECT count(*) FROM chat.circle_members WHERE circle_id = \(circle)") == "2")
    }

    @Test("membership errors: unknown circle 404, unknown user 404, bad ids 404 in paths and 422 in bodies")
    func membershipErrors() async throws {
        let api = try harness()
        let user = try await api.user()
        let circle = try await api.circle(members: [])
        expectError(try await api.service("PUT", "/v1/circles/no-such-circle-\(api.unique("c"))/members", json: #"{"user_ids":[]}"#), 404, "not_found")
        expectError(try await api.service("PUT", "/v1/circles/no-such-circle/members/\(user.id)"), 404, "not_found")
        expectError(try await api.service("DELETE", "/v1/circles/no-such-circle/members/\(user.id)"), 404, "not_found")
        expectError(try await api.service("PUT", "/v1/circles/\(circle)/members/no-such-user-\(api.unique("u"))"), 404, "not_found")
        expectError(try await api.service("PUT", "/v1/circles/\(circle)/members/bad%20id"), 404, "not_found")
        expectError(try await api.service("PUT", "/v1/circles/\(circle)/members", json: "{\"user_ids\": [\"\(user.id)\", \"ghost-\(api.unique("g"))\"]}"),
                    404, "not_found")
        expectError(try await api.service("PUT", "/v1/circles/\(circle)/members", json: #"{"user_ids": ["ok", "bad id"]}"#), 422, "invalid", field: "user_ids[1]")
        expectError(try await api.service("PUT", "/v1/circles/\(circle)/members", json: #"{"user_ids": "u1"}"#), 422, "invalid", field: "user_ids")
        expectError(try await api.service("PUT", "/v1/circles/\(circle)/members", json: #"{}"#), 422, "invalid", field: "user_ids")
        #expect(try await api.database.scalar("SELECT count(*) FROM chat.circle_members WHERE circle_id = \(circle)") == "0")
    }

    @Test("membership changes of a circle with a chat emit member.added / member.removed")
    func membershipEvents() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let member = try await api.user()
        let chat = try await api.circleChat(admin, members: [])
        try expectStatus(try await api.service("PUT", "/v1/circles/\(chat.circle)/members/\(member.id)"), 204)
        try expectStatus(try await api.service("DELETE", "/v1/circles/\(chat.circle)/members/\(member.id)"), 204)
        let types = try await api.database.rows("""
            SELECT type FROM chat.events WHERE conversation_id = \(chat.conversation)::uuid AND user_id = \(member.id) ORDER BY pos
            """).map { $0["type"]!! }
        #expect(types == ["member.added", "member.removed"])
    }
}
