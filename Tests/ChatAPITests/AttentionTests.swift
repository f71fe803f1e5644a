import Foundation
import Models
import Postgres
import Testing
import TestSupport

/// Mentions, typing, receipts ("Seen", readers), mute and mark unread through chat-api (docs/api.md,
/// "Attention"). Search has its own suite; the stream side is in the gateway's.
@Suite(.chatAPI())
struct AttentionTests {
    @Test("mentions: stored in the order given, named in the 201, the reads, history and search; refused for a non-member, an unknown id, 51 users")
    func mentionsOnSend() async throws {
        let api = try harness()
        let admin = try await api.user(.admin, name: "Ada Admin")
        let member = try await api.user(name: "Grace Member")
        let other = try await api.user(name: "Alan Other")
        let outsider = try await api.user()
        let chat = try await api.circleChat(admin, members: [member, other])

        // An admin sees every circle chat, so members may mention one who is not in the circle.
        let response = try await api.sendMentioning(member, chat.conversation, "@Alan @Ada look", [other.id, admin.id, other.id])
        try expectStatus(response, 201)
        let sent = try response.decode(Message.self)
        #expect(sent.mentions == [UserRef(id: other.id, name: "Alan Other"), UserRef(id: admin.id, name: "Ada Admin")])
        #expect(try await api.getMessage(other, chat.conversation, sent.id).decode(Message.self) == sent)
        #expect(try await api.history(admin, chat.conversation).last == sent)
        let found = try await api.searchMessages(member, "q=look")
        try expectStatus(found, 200)
        #expect(try canonical(#require(try found.items().first?["message"] as? [String: Any])) == canonical(try response.object()),
                "a search hit's message names the mentions too")
        #expect(try await api.sent(member, chat.conversation, "no one").mentions.isEmpty)
        let nullMentions = try await api.call("POST", "/v1/conversations/\(chat.conversation)/messages", token: member.token,
                                              json: #"{"body": "null is none", "mentions": null}"#)
        try expectStatus(nullMentions, 201)
        #expect(try nullMentions.decode(Message.self).mentions.isEmpty, "mentions given as null are none (docs/openapi.json)")

        let before = try await api.database.scalar("SELECT count(*) FROM chat.messages WHERE conversation_id = \(chat.conversation)::uuid")
        expectError(try await api.sendMentioning(member, chat.conversation, "psst", [outsider.id]), 422, "invalid", field: "mentions")
        expectError(try await api.sendMentioning(member, chat.conversation, "psst", ["nobody-here"]), 422, "invalid", field: "mentions")
        expectError(try await api.sendMentioning(member, chat.conversation, "psst", ["not an id!"]), 422, "invalid", field: "mentions")
        let many = (0...50).map { "u\($0)" }
        expectError(try await api.sendMentioning(member, chat.conversation, "everyone", many), 422, "invalid", field: "mentions")
        #expect(try await api.database.scalar("SELECT count(*) FROM chat.messages WHERE conversation_id = \(chat.conversation)::uuid") == before,
                "nothing stored")

        // A removed member can no longer be mentioned.
        try expectStatus(try await api.service("DELETE", "/v1/circles/\(chat.circle)/members/\(other.id)"), 204)
        expectError(try await api.sendMentioning(member, chat.conversation, "@Alan?", [other.id]), 422, "invalid", field: "mentions")
    }

    @Test("unread_mentions and GET /v1/unread mentions stay exact after reads, deletions and mark-unread; mentioning oneself never counts")
    func mentionCounts() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let member = try await api.user()
        let chat = try await api.circleChat(admin, members: [member])
        let first = try await api.sendMentioning(admin, chat.conversation, "first ping", [member.id]).decode(Message.self)
        try await api.sent(admin, chat.conversation, "plain")
        let second = try await api.sendMentioning(admin, chat.conversation, "second ping", [member.id, admin.id]).decode(Message.self)
        try expectStatus(try await api.sendMentioning(member, chat.conversation, "me, myself", [member.id]), 201)

        func counts() async throws -> (conversation: Int?, badge: Int?) {
            (try await api.conversation(member, chat.conversation)["unread_mentions"] as? Int, try await api.badges(member)["mentions"])
        }
        // The member's own send moved their marker past everything: read it back to before the pings.
        let back = try await api.markUnread(member, chat.conversation, first.seq)
        try expectStatus(back, 200)
        #expect(try back.object()["unread_mentions"] as? Int == 2)
        #expect(try await counts() == (2, 2))
        #expect(try await api.badges(admin)["mentions"] == 0, "the sender is not pinged by their own mention")

        let read = try await api.read(member, chat.conversation, first.seq)
        #expect(try read.object()["unread_mentions"] as? Int == 1)
        #expect(try await counts() == (1, 1))
        try expectStatus(try await api.delete(admin, chat.conversation, second.id), 204)
        #expect(try await counts() == (0, 0), "a deleted message mentions nobody")
        #expect(try await api.getMessage(member, chat.conversation, second.id).decode(Message.self).mentions.isEmpty)
        try expectStatus(try await api.markUnread(member, chat.conversation, first.seq), 200)
        #expect(try await counts() == (1, 1))
        #expect(try await api.database.scalar("""
            SELECT count(*) FROM chat.message_mentions WHERE user_id = \(member.id)
            """) == "1", "one row per live mention of someone else")
    }

    @Test("typing: 204 for whoever may send, coalesced; 403 send_forbidden for a member of an admins_only chat; 404 when not visible")
    func typingRefusals() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let member = try await api.user()
        let outsider = try await api.user()
        let open = try await api.circleChat(admin, members: [member])
        let announcements = try await api.circleChat(admin, members: [member], policy: .adminsOnly)
        let eventsQuery: SQLQuery = """
            SELECT count(*) FROM chat.events WHERE conversation_id IN (\(open.conversation)::uuid, \(announcements.conversation)::uuid)
            """
        let events = try await api.database.scalar(eventsQuery)

        try expectStatus(try await api.typing(member, open.conversation), 204)
        try expectStatus(try await api.typing(member, open.conversation), 204)  // coalesced: still 204
        try expectStatus(try await api.typing(admin, announcements.conversation), 204)
        expectError(try await api.typing(member, announcements.conversation), 403, "send_forbidden")
        expectError(try await api.typing(outsider, open.conversation), 404, "not_found")
        expectError(try await api.call("POST", "/v1/conversations/not-a-uuid/typing", token: member.token), 404, "not_found")
        #expect(try await api.database.scalar(eventsQuery) == events, "typing writes no event")
    }

    @Test("mark unread: the marker becomes min(marker, seq - 1), never forward; 422 for seq 0 or past the end; 404 when not visible")
    func markUnread() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let member = try await api.user()
        let outsider = try await api.user()
        let chat = try await api.directChat(admin, member)
        for index in 1...4 { try await api.sent(admin, chat, "message \(index)") }
        try expectStatus(try await api.read(member, chat, 4), 200)

        let back = try await api.markUnread(member, chat, 3)
        try expectStatus(back, 200)
        let state = try back.decode(ReadState.self)
        #expect(state == ReadState(conversationID: chat, lastReadSeq: 2, unreadCount: 2, unreadMentions: 0))
        let notForward = try await api.markUnread(member, chat, 4)
        #expect(try notForward.decode(ReadState.self).lastReadSeq == 2, "never moves the marker forward")
        #expect(try await api.unread(member, chat) == 2)
        try expectStatus(try await api.markUnread(member, chat, 1), 200)
        #expect(try await api.unread(member, chat) == 4)
        #expect(try await api.badges(member)["direct"] == 4)

        expectError(try await api.markUnread(member, chat, 0), 422, "invalid", field: "seq")
        expectError(try await api.markUnread(member, chat, 5), 422, "invalid", field: "seq")
        expectError(try await api.markUnread(outsider, chat, 1), 404, "not_found")
        expectError(try await api.call("POST", "/v1/conversations/\(chat)/unread", token: member.token, json: "{}"), 422, "invalid")
    }

    @Test("mute: 200 the conversation with muted; it keeps its counts in the list but leaves GET /v1/unread; idempotent; 404 when not visible")
    func mute() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let member = try await api.user()
        let outsider = try await api.user()
        let chat = try await api.circleChat(admin, members: [member])
        let direct = try await api.directChat(admin, member)
        try expectStatus(try await api.sendMentioning(admin, chat.conversation, "ping", [member.id]), 201)
        try await api.sent(admin, direct, "hello")
        #expect(try await api.badges(member) == ["direct": 1, "circle": 1, "total": 2, "mentions": 1])
        #expect(try await api.conversation(member, chat.conversation)["muted"] as? Bool == false)

        let muted = try await api.mute(member, chat.conversation, true)
        try expectStatus(muted, 200)
        let view = try muted.object()
        #expect(view["muted"] as? Bool == true && view["unread_count"] as? Int == 1 && view["unread_mentions"] as? Int == 1)
        try expectStatus(try await api.mute(member, chat.conversation, true), 200)
        #expect(try await api.badges(member) == ["direct": 1, "circle": 0, "total": 1, "mentions": 0])
        let list = try await api.call("GET", "/v1/conversations?kind=circle", token: member.token).items()
        #expect(list.first?["muted"] as? Bool == true && list.first?["unread_count"] as? Int == 1, "the list keeps the counts")
        #expect(try await api.conversation(admin, chat.conversation)["muted"] as? Bool == false, "muting is per user")
        #expect(try await api.database.scalar("""
            SELECT count(*) FROM chat.events WHERE type = 'mute.updated' AND user_id = \(member.id)
            """) == "1", "one event per change")

        let unmuted = try await api.mute(member, chat.conversation, false)
        #expect(try unmuted.object()["muted"] as? Bool == false)
        #expect(try await api.badges(member)["total"] == 2)
        expectError(try await api.mute(outsider, chat.conversation, true), 404, "not_found")
        expectError(try await api.call("PUT", "/v1/conversations/\(chat.conversation)/mute", token: member.token, json: "{}"), 422, "invalid")
    }

    @Test("receipts: peer_last_read_seq on direct chats (0 until read, null on circle chats); readers of a message, not its sender, count and limit")
    func receiptsAndReaders() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let member = try await api.user()
        let other = try await api.user()
        let outsider = try await api.user()
        let direct = try await api.directChat(admin, member)
        let mine = try await api.sent(admin, direct, "did you see this?")
        #expect(try await api.conversation(admin, direct)["peer_last_read_seq"] as? Int == 0)
        try expectStatus(try await api.read(member, direct, mine.seq), 200)
        #expect(try await api.conversation(admin, direct)["peer_last_read_seq"] as? Int == Int(mine.seq))
        #expect(try await api.conversation(member, direct)["peer_last_read_seq"] as? Int == Int(mine.seq), "the sender's marker moved with the send")

        let chat = try await api.circleChat(admin, members: [member, other])
        #expect(try await api.conversation(member, chat.conversation)["peer_last_read_seq"] is NSNull)
        let post = try await api.sent(member, chat.conversation, "read me")
        let readersPath = "\(api.messagePath(chat.conversation, post.id))/readers"
        let none = try await api.call("GET", readersPath, token: admin.token)
        try expectStatus(none, 200)
        #expect(try none.items().isEmpty && none.object()["count"] as? Int == 0, "the sender is not a reader")
        try expectStatus(try await api.read(other, chat.conversation, post.seq), 200)
        let readers = try await api.call("GET", readersPath, token: member.token)
        let items = try readers.items()
        #expect(items.count == 1 && (items.first?["user"] as? [String: Any])?["id"] as? String == other.id)
        #expect((items.first?["read_at"] as? String).flatMap(Timestamp.parse) != nil)
        #expect(try readers.object()["count"] as? Int == 1)
        // An admin who is not in the circle reads but is not a participant: not listed.
        try expectStatus(try await api.read(admin, chat.conversation, post.seq), 200)
        #expect(try await api.call("GET", readersPath, token: member.token).object()["count"] as? Int == 1)

        expectError(try await api.call("GET", readersPath, token: outsider.token), 404, "not_found")
        expectError(try await api.call("GET", "\(api.messagePath(chat.conversation, mine.id))/readers", token: admin.token), 404, "not_found")
    }

    @Test("readers: at most 100 items, count is all of them")
    func readersLimit() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let circle = api.unique("circle")
        try expectStatus(try await api.service("PUT", "/v1/circles/\(circle)", json: #"{"name": "Big"}"#), 201)
        let chatResponse = try await api.call("POST", "/v1/conversations/circle", token: admin.token,
                                              json: "{\"circle_id\": \"\(circle)\", \"send_policy\": \"all_members\"}")
        let chat = try #require(try chatResponse.object()["id"] as? String)
        let post = try await api.sent(admin, chat, "everyone read this")
        // 120 members who read it, written straight into the tables (the API's reads are tested above).
        try await api.database.execute("""
            WITH people AS (
                INSERT INTO chat.users (id, name, email, role)
                SELECT 'reader-' || i, 'Reader ' || i, 'r' || i || '@example.com', 'member' FROM generate_series(1, 120) AS i
                RETURNING id
            ), joined AS (INSERT INTO chat.circle_members (circle_id, user_id) SELECT \(circle), id FROM people RETURNING user_id)
            INSERT INTO chat.read_markers (conversation_id, user_id, last_read_seq) SELECT \(chat)::uuid, user_id, \(post.seq) FROM joined
            """)
        let readers = try await api.call("GET", "\(api.messagePath(chat, post.id))/readers", token: admin.token)
        #expect(try readers.items().count == 100)
        #expect(try readers.object()["count"] as? Int == 120)
    }
}
