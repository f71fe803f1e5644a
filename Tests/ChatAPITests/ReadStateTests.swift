import Foundation
import Models
import Testing
import TestSupport

/// Read markers and unread counts (docs/api.md: `POST .../read`, `GET /v1/unread`, `unread_count`
/// and `last_read_seq` on conversations). Serialized: admins see every circle chat of the
/// suite's database, so their badges are checked as changes from a baseline that no other
/// test may move meanwhile.
@Suite(.chatAPI(), .serialized)
struct ReadStateTests {
    @Test("unread counts others' messages after the marker; sending moves the sender's own marker")
    func unreadAfterSends() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let user = try await api.user()
        let conversation = try await api.directChat(admin, user)
        let adminBaseline = try await unread(api, admin)
        for n in 1...3 { try await api.sent(admin, conversation, "a\(n)") }
        #expect(try await state(api, user, conversation) == (3, 0))
        #expect(try await state(api, admin, conversation) == (0, 3))
        try await api.sent(user, conversation, "reply")  // seq 4: the user's marker moves to 4
        #expect(try await state(api, user, conversation) == (0, 4))
        #expect(try await state(api, admin, conversation) == (1, 3))
        #expect(try await unread(api, user) == [0, 0, 0])
        #expect(try await unread(api, admin) == [1, adminBaseline[1], 1 + adminBaseline[1]])
    }

    @Test("POST read moves the marker forward, never back, and answers the new state")
    func markRead() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let user = try await api.user()
        let conversation = try await api.directChat(admin, user)
        for n in 1...5 { try await api.sent(admin, conversation, "m\(n)") }
        let path = "/v1/conversations/\(conversation)/read"
        let read3 = try await api.call("POST", path, token: user.token, json: #"{"seq": 3}"#)
        try expectStatus(read3, 200)
        #expect(try read3.decode(ReadState.self) == ReadState(conversationID: conversation, lastReadSeq: 3, unreadCount: 2))
        #expect(try read3.object().keys.sorted() == ["conversation_id", "last_read_seq", "unread_count", "unread_mentions"])
        let back = try await api.call("POST", path, token: user.token, json: #"{"seq": 1}"#)
        #expect(try back.decode(ReadState.self) == ReadState(conversationID: conversation, lastReadSeq: 3, unreadCount: 2))
        let all = try await api.call("POST", path, token: user.token, json: #"{"seq": 5}"#)
        #expect(try all.decode(ReadState.self).unreadCount == 0)
        #expect(try await unread(api, user) == [0, 0, 0])
        // One read.updated event per move (3 and 5), none for the refused move back.
        let events = try await api.database.rows("""
            SELECT payload->>'last_read_seq' AS seq, payload->>'unread_count' AS unread, payload->>'conversation_id' AS conversation
              FROM chat.events WHERE type = 'read.updated' AND user_id = \(user.id) ORDER BY pos
            """)
        #expect(events.map { $0["seq"]!! } == ["3", "5"])
        #expect(events.map { $0["unread"]!! } == ["2", "0"])
        #expect(events.allSatisfy { $0["conversation"]!! == conversation })
        for (json, status) in [(#"{"seq": 6}"#, 422), (#"{"seq": -1}"#, 422), (#"{"seq": "3"}"#, 422), (#"{"seq": 2.5}"#, 422),
                               (#"{}"#, 422), (#"{"seq": null}"#, 422), (#"{"seq": 1e30}"#, 422)] {
            let response = try await api.call("POST", path, token: user.token, json: json)
            expectError(response, status, "invalid", field: "seq")
        }
    }

    @Test("nav badges: unread messages by kind; admins count every circle chat, members their circles'")
    func badges() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let otherAdmin = try await api.user(.admin)
        let member = try await api.user()
        let outsider = try await api.user()
        let direct = try await api.directChat(admin, member)
        let chat = try await api.circleChat(admin, members: [member])
        let baseline = try await unread(api, otherAdmin)[1]  // other tests' circle chats
        try await api.sent(admin, direct, "d1")
        try await api.sent(admin, direct, "d2")
        try await api.sent(admin, chat.conversation, "c1")
        try await api.sent(member, chat.conversation, "c2")
        #expect(try await unread(api, member) == [2, 0, 2])  // c1 is before the member's own c2
        #expect(try await unread(api, admin) == [0, baseline + 1, baseline + 1])
        #expect(try await unread(api, otherAdmin) == [0, baseline + 2, baseline + 2])
        #expect(try await unread(api, outsider) == [0, 0, 0])
        let unreadBody = try await api.call("GET", "/v1/unread", token: member.token).object()
        #expect(unreadBody.keys.sorted() == ["circle", "direct", "mentions", "total"])
    }

    @Test("unread follows membership: a removed member's circle chat stops counting, a re-added one counts again")
    func unreadAfterMembershipChanges() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let member = try await api.user()
        let chat = try await api.circleChat(admin, members: [member])
        try await api.sent(admin, chat.conversation, "one")
        try await api.sent(admin, chat.conversation, "two")
        #expect(try await unread(api, member) == [0, 2, 2])
        try expectStatus(try await api.service("DELETE", "/v1/circles/\(chat.circle)/members/\(member.id)"), 204)
        #expect(try await unread(api, member) == [0, 0, 0])
        try await api.sent(admin, chat.conversation, "three")
        try expectStatus(try await api.service("PUT", "/v1/circles/\(chat.circle)/members/\(member.id)"), 204)
        #expect(try await unread(api, member) == [0, 3, 3])
        let list = try await api.call("GET", "/v1/conversations?kind=circle", token: member.token).items()
        #expect(list.first?["unread_count"] as? Int == 3)
    }

    private func state(_ api: APIHarness, _ user: TestUser, _ conversation: String) async throws -> (Int, Int) {
        let body = try await api.call("GET", "/v1/conversations/\(conversation)", token: user.token).object()
        return (body["unread_count"] as? Int ?? -1, body["last_read_seq"] as? Int ?? -1)
    }

    /// `[direct, circle, total]` of `GET /v1/unread`.
    private func unread(_ api: APIHarness, _ user: TestUser) async throws -> [Int] {
        let response = try await api.call("GET", "/v1/unread", token: user.token)
        try expectStatus(response, 200)
        let body = try response.object()
        return ["direct", "circle", "total"].map { body[$0] as? Int ?? -1 }
    }
}
