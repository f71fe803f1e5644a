import Foundation
import Models
import Testing
import TestSupport

/// Circle membership is live (docs/api.md): a user added to a circle can read and send in its chat
/// at once; one removed loses access at once.
@Suite(.chatAPI())
struct LiveMembershipTests {
    @Test("added: reads and sends with the next request; removed: 404 with the next request")
    func accessFollowsMembership() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let user = try await api.user()
        let chat = try await api.circleChat(admin, members: [])
        let path = "/v1/conversations/\(chat.conversation)"
        try expectStatus(try await api.call("GET", "/v1/me", token: user.token), 200)  // the session is cached
        expectError(try await api.call("GET", path, token: user.token), 404, "not_found")
        try expectStatus(try await api.service("PUT", "/v1/circles/\(chat.circle)/members/\(user.id)"), 204)
        try expectStatus(try await api.call("GET", path, token: user.token), 200)
        try expectStatus(try await api.send(user, chat.conversation, "I'm in"), 201)
        #expect(try await api.call("GET", "/v1/conversations?kind=circle", token: user.token).items().count == 1)
        try expectStatus(try await api.service("PUT", "/v1/circles/\(chat.circle)/members", json: #"{"user_ids": []}"#), 200)
        expectError(try await api.call("GET", path, token: user.token), 404, "not_found")
        expectError(try await api.call("GET", "\(path)/messages", token: user.token), 404, "not_found")
        expectError(try await api.send(user, chat.conversation, "still here?"), 404, "not_found")
        #expect(try await api.call("GET", "/v1/conversations?kind=circle", token: user.token).items().isEmpty)
        #expect(try await api.call("GET", path, token: admin.token).object()["member_count"] as? Int == 0)
    }

    @Test("a member made admin sees every circle chat; demoted, only their circles' (within the session cache time)")
    func roleChanges() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let user = try await api.user()
        let chat = try await api.circleChat(admin, members: [])
        try expectStatus(try await api.service("PUT", "/v1/users/\(user.id)", json: """
            {"name": "\(user.name)", "email": "\(user.id)@example.com", "role": "admin"}
            """), 200)
        #expect(try await eventually { try await api.call("GET", "/v1/conversations/\(chat.conversation)", token: user.token).status == 200 })
        #expect(try await eventually { try await api.send(user, chat.conversation, "as admin").status == 201 })
        try expectStatus(try await api.service("PUT", "/v1/users/\(user.id)", json: """
            {"name": "\(user.name)", "email": "\(user.id)@example.com", "role": "member"}
            """), 200)
        #expect(try await eventually { try await api.call("GET", "/v1/conversations/\(chat.conversation)", token: user.token).status == 404 })
    }

    @Test("a member sending into a circle chat while being removed gets 201 or 404, never a half-written message")
    func removalRace() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let members = try await withThrowingTaskGroup(of: TestUser.self) { group in
            for _ in 0..<10 { group.addTask { try await api.user() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let chat = try await api.circleChat(admin, members: members)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for member in members {
                group.addTask { try await api.send(member, chat.conversation, "racing").status }
            }
            group.addTask {
                try await api.service("PUT", "/v1/circles/\(chat.circle)/members", json: #"{"user_ids": []}"#).status == 200 ? 0 : -1
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.allSatisfy { [0, 201, 404].contains($0) })
        let created = statuses.filter { $0 == 201 }.count
        #expect(try await api.database.scalar("""
            SELECT count(*) FROM chat.messages WHERE conversation_id = \(chat.conversation)::uuid AND kind = 'user'
            """) == "\(created)")
        // Plus two system messages: chat_created and members_removed.
        #expect(try await api.database.scalar("SELECT last_seq FROM chat.conversations WHERE id = \(chat.conversation)::uuid") == "\(created + 2)")
    }
}
