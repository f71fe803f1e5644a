import Foundation
import Models
import Testing
import TestSupport

/// System messages (API.md, "System messages"): written in the transaction of the change,
/// exactly once (a repeated directory call changes nothing and writes nothing), naming at most
/// 50 users plus a count; they take a seq but never count as unread and are never the
/// conversation's `last_message`.
@Suite(.chatAPI())
struct SystemMessageTests {
    /// The system messages of a conversation, oldest first.
    static func systemMessages(_ api: APIHarness, _ admin: TestUser, _ conversation: String) async throws -> [Message] {
        try await api.history(admin, conversation).filter { $0.kind == .system }
    }

    @Test("chat created, renamed, made admins-only, renamed back: one message each, with actor and facts; a PATCH that changes nothing writes none")
    func chatChanges() async throws {
        let api = try harness()
        let admin = try await api.user(.admin, name: "Ada Lovelace")
        let member = try await api.user(.member, name: "Grace Hopper")
        let chat = try await api.circleChat(admin, members: [member])
        let patch = "/v1/conversations/\(chat.conversation)"
        try expectStatus(try await api.call("PATCH", patch, token: admin.token, json: #"{"title": "Launch"}"#), 200)
        try expectStatus(try await api.call("PATCH", patch, token: admin.token, json: #"{"title": "Launch"}"#), 200)
        try expectStatus(try await api.call("PATCH", patch, token: admin.token, json: #"{"send_policy": "admins_only"}"#), 200)
        try expectStatus(try await api.call("PATCH", patch, token: admin.token, json: #"{"send_policy": "admins_only"}"#), 200)
        try expectStatus(try await api.call("PATCH", patch, token: admin.token, json: #"{"title": "", "send_policy": "all_members"}"#), 200)

        let actor = UserRef(id: admin.id, name: "Ada Lovelace")
        let messages = try await Self.systemMessages(api, admin, chat.conversation)
        #expect(messages.map(\.system) == [
            SystemFacts(type: .chatCreated, actor: actor),
            SystemFacts(type: .titleChanged, actor: actor, title: "Launch"),
            SystemFacts(type: .policyChanged, actor: actor, sendPolicy: .adminsOnly),
            SystemFacts(type: .titleChanged, actor: actor, title: "Circle \(chat.circle)"),
            SystemFacts(type: .policyChanged, actor: actor, sendPolicy: .allMembers),
        ])
        #expect(messages.map(\.body) == [
            "Ada Lovelace created this chat", "Ada Lovelace renamed this chat to \"Launch\"", "Ada Lovelace made this chat admins-only",
            "Ada Lovelace renamed this chat to \"Circle \(chat.circle)\"", "Ada Lovelace let all members send messages",
        ])
        #expect(messages.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(messages.allSatisfy { $0.sender == nil && $0.clientID == nil && $0.editedAt == nil && !$0.deleted && $0.reactions.isEmpty })
        // Never unread, never the preview.
        let seen = try await api.call("GET", patch, token: member.token).object()
        #expect(seen["unread_count"] as? Int == 0)
        #expect(seen["last_message"] is NSNull)
        let said = try await api.sent(admin, chat.conversation, "hello")
        try expectStatus(try await api.call("PATCH", patch, token: admin.token, json: #"{"title": "Later"}"#), 200)
        let after = try await api.call("GET", patch, token: member.token).object()
        #expect(after["unread_count"] as? Int == 1)
        #expect((after["last_message"] as? [String: Any])?["id"] as? Int64 == said.id)
    }

    @Test("membership: one members_added and one members_removed per directory call; the same call again writes nothing")
    func membershipChanges() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let stays = try await api.user(.member, name: "Alan Turing")
        let leaves = try await api.user(.member, name: "Barbara Liskov")
        let joins = [try await api.user(.member, name: "Claude Shannon"), try await api.user(.member, name: "Donald Knuth")]
        let chat = try await api.circleChat(admin, members: [stays, leaves])
        let members = "/v1/circles/\(chat.circle)/members"
        let set = "{\"user_ids\": [\"\(stays.id)\", \"\(joins[0].id)\", \"\(joins[1].id)\"]}"
        try expectStatus(try await api.service("PUT", members, json: set), 200)
        try expectStatus(try await api.service("PUT", members, json: set), 200)
        try expectStatus(try await api.service("PUT", "\(members)/\(leaves.id)"), 204)
        try expectStatus(try await api.service("PUT", "\(members)/\(leaves.id)"), 204)
        try expectStatus(try await api.service("DELETE", "\(members)/\(leaves.id)"), 204)
        try expectStatus(try await api.service("DELETE", "\(members)/\(leaves.id)"), 204)

        let facts = try await Self.systemMessages(api, admin, chat.conversation).dropFirst()
        let ref = { (user: TestUser) in UserRef(id: user.id, name: user.name) }
        #expect(facts.map(\.system) == [
            SystemFacts(type: .membersRemoved, users: [ref(leaves)], count: 1),
            SystemFacts(type: .membersAdded, users: joins.map(ref), count: 2),
            SystemFacts(type: .membersAdded, users: [ref(leaves)], count: 1),
            SystemFacts(type: .membersRemoved, users: [ref(leaves)], count: 1),
        ])
        #expect(facts.map(\.body) == [
            "Barbara Liskov was removed from this chat", "Claude Shannon and Donald Knuth were added to this chat",
            "Barbara Liskov was added to this chat", "Barbara Liskov was removed from this chat",
        ])
        // The member who joined sees them in order with everything else, and none is unread.
        #expect(try await api.unread(joins[0], chat.conversation) == 0)
    }

    @Test("a call that adds 60 users names 50 of them, by name, and counts 60")
    func manyUsers() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let chat = try await api.circleChat(admin, members: [])
        let users = try await withThrowingTaskGroup(of: TestUser.self) { group in
            for _ in 0..<60 { group.addTask { try await api.user() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let ids = users.map { "\"\($0.id)\"" }.joined(separator: ",")
        try expectStatus(try await api.service("PUT", "/v1/circles/\(chat.circle)/members", json: "{\"user_ids\": [\(ids)]}"), 200)
        let added = try #require(try await Self.systemMessages(api, admin, chat.conversation).last)
        #expect(added.system?.type == .membersAdded && added.system?.count == 60)
        let named = try #require(added.system?.users)
        let expected = users.sorted { ($0.name.lowercased(), $0.id) < ($1.name.lowercased(), $1.id) }.prefix(50)
        #expect(named == expected.map { UserRef(id: $0.id, name: $0.name) })
        #expect(added.body == "\(expected[0].name), \(expected[1].name) and 58 others were added to this chat")
    }
}
