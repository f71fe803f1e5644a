import Foundation
import Models
import Testing
import TestSupport

/// One message: read, edit, delete, reply and react, with every refusal of the contract
/// (API.md, "Messages: edit, delete, reply, react, system messages" and "Precisions").
@Suite(.chatAPI())
struct MessageDepthTests {
    @Test("GET one message: whoever sees the conversation; 404 for an unknown or foreign message, a hidden conversation, a removed member")
    func readOne() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let member = try await api.user()
        let outsider = try await api.user()
        let chat = try await api.circleChat(admin, members: [member])
        let other = try await api.directChat(admin, outsider)
        let sent = try await api.sent(member, chat.conversation, "hello")
        let elsewhere = try await api.sent(admin, other, "not in that chat")

        let response = try await api.getMessage(admin, chat.conversation, sent.id)
        try expectStatus(response, 200)
        #expect(try response.decode(Message.self) == sent)
        try expectStatus(try await api.getMessage(member, chat.conversation, sent.id), 200)
        expectError(try await api.getMessage(outsider, chat.conversation, sent.id), 404, "not_found")
        expectError(try await api.getMessage(admin, chat.conversation, elsewhere.id), 404, "not_found")
        expectError(try await api.getMessage(admin, chat.conversation, 999_999_999), 404, "not_found")
        for bad in ["0", "-1", "abc", "01", "99999999999999999999"] {
            expectError(try await api.call("GET", "/v1/conversations/\(chat.conversation)/messages/\(bad)", token: admin.token), 404, "not_found")
        }
        try expectStatus(try await api.service("DELETE", "/v1/circles/\(chat.circle)/members/\(member.id)"), 204)
        expectError(try await api.getMessage(member, chat.conversation, sent.id), 404, "not_found")
        expectError(try await api.edit(member, chat.conversation, sent.id, "mine still?"), 404, "not_found")
        expectError(try await api.delete(member, chat.conversation, sent.id), 404, "not_found")
        expectError(try await api.react(member, chat.conversation, sent.id, "👍"), 404, "not_found")
    }

    @Test("PATCH: the sender edits (edited_at, a revision); others 403; same body changes nothing; bad body 422; deleted 409")
    func edit() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let member = try await api.user()
        let chat = try await api.circleChat(admin, members: [member])
        let sent = try await api.sent(member, chat.conversation, "helo")

        let response = try await api.edit(member, chat.conversation, sent.id, "hello")
        try expectStatus(response, 200)
        let edited = try response.decode(Message.self)
        #expect(edited.body == "hello" && edited.seq == sent.seq && edited.createdAt == sent.createdAt)
        #expect(edited.editedAt.flatMap(Timestamp.parse) != nil)
        let revisions = try await api.database.rows("SELECT body, edited_by FROM chat.message_revisions WHERE message_id = \(sent.id)")
        #expect(revisions == [["body": "helo", "edited_by": member.id]])

        let again = try await api.edit(member, chat.conversation, sent.id, "hello")
        try expectStatus(again, 200)
        #expect(try again.decode(Message.self) == edited)
        #expect(try await api.database.scalar("SELECT count(*) FROM chat.message_revisions WHERE message_id = \(sent.id)") == "1")

        expectError(try await api.edit(admin, chat.conversation, sent.id, "an admin's edit"), 403, "forbidden")
        expectError(try await api.edit(member, chat.conversation, sent.id, String(repeating: "a", count: 4001)), 422, "invalid", field: "body")
        expectError(try await api.edit(member, chat.conversation, sent.id, "  \n "), 422, "invalid", field: "body")
        expectError(try await api.call("PATCH", api.messagePath(chat.conversation, sent.id), token: member.token, json: "{}"),
                    422, "invalid", field: "body")
        let system = try #require(try await api.history(admin, chat.conversation).first { $0.kind == .system })
        expectError(try await api.edit(admin, chat.conversation, system.id, "rewritten"), 403, "forbidden")

        try expectStatus(try await api.delete(member, chat.conversation, sent.id), 204)
        expectError(try await api.edit(member, chat.conversation, sent.id, "too late"), 409, "conflict")
    }

    @Test("DELETE: the sender or an admin who sees it; members 403 on others'; idempotent; the text is gone from the row and the revisions")
    func delete() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let member = try await api.user()
        let other = try await api.user()
        let chat = try await api.circleChat(admin, members: [member, other])
        let mine = try await api.sent(member, chat.conversation, "first draft")
        try expectStatus(try await api.edit(member, chat.conversation, mine.id, "second draft"), 200)
        try expectStatus(try await api.react(other, chat.conversation, mine.id, "👍"), 204)
        let theirs = try await api.sent(other, chat.conversation, "something rude")

        expectError(try await api.delete(member, chat.conversation, theirs.id), 403, "forbidden")
        try expectStatus(try await api.delete(member, chat.conversation, mine.id), 204)
        try expectStatus(try await api.delete(member, chat.conversation, mine.id), 204)
        try expectStatus(try await api.delete(admin, chat.conversation, theirs.id), 204)  // moderation

        // The newest user message stays the list preview, deleted: an empty preview.
        let header = try await api.call("GET", "/v1/conversations/\(chat.conversation)", token: other.token).object()
        let last = try #require(header["last_message"] as? [String: Any])
        #expect(last["id"] as? Int64 == theirs.id && last["deleted"] as? Bool == true && last["body_preview"] as? String == "")
        let gone = try await api.getMessage(other, chat.conversation, mine.id).decode(Message.self)
        #expect(gone.deleted && gone.body == "" && gone.reactions.isEmpty && gone.mentions.isEmpty && gone.seq == mine.seq)
        let stored = try await api.database.rows("""
            SELECT body, deleted_by, deleted_at IS NOT NULL AS deleted FROM chat.messages WHERE id IN (\(mine.id), \(theirs.id)) ORDER BY id
            """)
        #expect(stored == [["body": "", "deleted_by": member.id, "deleted": "t"], ["body": "", "deleted_by": admin.id, "deleted": "t"]])
        #expect(try await api.database.scalar("""
            SELECT count(*) FROM chat.message_revisions WHERE message_id = \(mine.id) AND body IS NOT NULL
            """) == "0")
        #expect(try await api.database.scalar("SELECT count(*) FROM chat.message_reactions WHERE message_id = \(mine.id)") == "0")
        let actions = try await api.database.rows("""
            SELECT action, actor_id, by_someone_else FROM chat.moderation_actions
             WHERE message_id IN (\(mine.id), \(theirs.id)) ORDER BY message_id, action
            """)
        #expect(actions == [
            ["action": "deleted", "actor_id": member.id, "by_someone_else": "f"],
            ["action": "edited", "actor_id": member.id, "by_someone_else": "f"],
            ["action": "deleted", "actor_id": admin.id, "by_someone_else": "t"],
        ])

        let system = try #require(try await api.history(admin, chat.conversation).first { $0.kind == .system })
        expectError(try await api.delete(admin, chat.conversation, system.id), 403, "forbidden")
        // An admin moderates only where they see: a direct chat of others is 404.
        let admin2 = try await api.user(.admin)
        let direct = try await api.directChat(admin2, member)
        let private1 = try await api.sent(member, direct, "between us")
        expectError(try await api.delete(admin, direct, private1.id), 404, "not_found")
        try expectStatus(try await api.delete(admin2, direct, private1.id), 204)
    }

    @Test("reactions: anyone who sees it, members of admins_only chats too; idempotent; ordered by first use; me per caller")
    func reactions() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let member = try await api.user()
        let other = try await api.user()
        let chat = try await api.circleChat(admin, members: [member, other], policy: .adminsOnly)
        let announcement = try await api.sent(admin, chat.conversation, "we ship on Friday")

        try expectStatus(try await api.react(member, chat.conversation, announcement.id, "🎉"), 204)
        try expectStatus(try await api.react(member, chat.conversation, announcement.id, "🎉"), 204)
        try expectStatus(try await api.react(other, chat.conversation, announcement.id, "👍🏽"), 204)
        try expectStatus(try await api.react(other, chat.conversation, announcement.id, "🎉"), 204)
        try expectStatus(try await api.react(admin, chat.conversation, announcement.id, ":shipit:"), 204)
        try expectStatus(try await api.react(admin, chat.conversation, announcement.id, "❤️"), 204)

        let seenByMember = try await api.getMessage(member, chat.conversation, announcement.id).decode(Message.self)
        #expect(seenByMember.reactions == [
            ReactionCount(emoji: "🎉", count: 2, me: true), ReactionCount(emoji: "👍🏽", count: 1, me: false),
            ReactionCount(emoji: ":shipit:", count: 1, me: false), ReactionCount(emoji: "❤️", count: 1, me: false),
        ])
        let seenByAdmin = try #require(try await api.history(admin, chat.conversation).first { $0.id == announcement.id })
        #expect(seenByAdmin.reactions.map(\.me) == [false, false, true, true])

        try expectStatus(try await api.react(member, chat.conversation, announcement.id, "🎉", add: false), 204)
        try expectStatus(try await api.react(member, chat.conversation, announcement.id, "🎉", add: false), 204)
        try expectStatus(try await api.react(member, chat.conversation, announcement.id, "👀", add: false), 204)
        let after = try await api.getMessage(member, chat.conversation, announcement.id).decode(Message.self)
        // 🎉's first use is now the other user's, after 👍🏽's.
        #expect(after.reactions == [
            ReactionCount(emoji: "👍🏽", count: 1, me: false), ReactionCount(emoji: "🎉", count: 1, me: false),
            ReactionCount(emoji: ":shipit:", count: 1, me: false), ReactionCount(emoji: "❤️", count: 1, me: false),
        ])
        let events = try await api.database.rows("""
            SELECT type, payload->>'emoji' AS emoji, payload->>'count' AS count, payload->>'user_id' AS user_id FROM chat.events
             WHERE type LIKE 'reaction.%' AND conversation_id = \(chat.conversation)::uuid AND (payload->>'emoji') = '🎉' ORDER BY pos
            """)
        #expect(events == [
            ["type": "reaction.added", "emoji": "🎉", "count": "1", "user_id": member.id],
            ["type": "reaction.added", "emoji": "🎉", "count": "2", "user_id": other.id],
            ["type": "reaction.removed", "emoji": "🎉", "count": "1", "user_id": member.id],
        ])

        let system = try #require(try await api.history(admin, chat.conversation).first { $0.kind == .system })
        expectError(try await api.react(member, chat.conversation, system.id, "👍"), 403, "forbidden")
        expectError(try await api.react(member, chat.conversation, system.id, "👍", add: false), 403, "forbidden")
        try expectStatus(try await api.delete(admin, chat.conversation, announcement.id), 204)
        expectError(try await api.react(member, chat.conversation, announcement.id, "👍"), 409, "conflict")
        try expectStatus(try await api.react(other, chat.conversation, announcement.id, "👍🏽", add: false), 204)
        #expect(try await api.getMessage(member, chat.conversation, announcement.id).decode(Message.self).reactions.isEmpty)
    }

    @Test("emoji: emoji sequences up to 8 scalars or :shortcode:; anything else 422 field emoji", arguments: [
        ("👍", true), ("👍🏽", true), ("❤️", true), ("👩‍👩‍👧", true), ("🇫🇷", true), (":tada:", true), (":+1:", true),
        (":a_b-c:", true), ("abc", false), ("1", false), ("#", false), (":Tada:", false), ("::", false), (":tada", false),
        ("👍 ", false), ("👍a", false), ("👩‍👩‍👧‍👦👍", true), ("👩‍👩‍👧‍👦👍👍", false), (":" + String(repeating: "a", count: 33) + ":", false),
        ("\u{200D}", false), ("\u{FE0F}", false),
    ])
    func emojiRules(emoji: String, accepted: Bool) async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let user = try await api.user()
        let conversation = try await api.directChat(admin, user)
        let message = try await api.sent(admin, conversation, "react to me")
        if accepted {
            try expectStatus(try await api.react(user, conversation, message.id, emoji), 204)
            let stored = try await api.getMessage(user, conversation, message.id).decode(Message.self)
            #expect(stored.reactions == [ReactionCount(emoji: emoji, count: 1, me: true)])
        } else {
            expectError(try await api.react(user, conversation, message.id, emoji), 422, "invalid", field: "emoji")
            expectError(try await api.react(user, conversation, message.id, emoji, add: false), 422, "invalid", field: "emoji")
        }
    }

    @Test("at most 20 distinct emoji per message: the 21st is 422 field emoji; another user's 20th-kind reaction is fine")
    func twentyDistinct() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let user = try await api.user()
        let conversation = try await api.directChat(admin, user)
        let message = try await api.sent(admin, conversation, "so many feelings")
        let emoji = (0..<20).map { ":e\($0):" }
        for name in emoji { try expectStatus(try await api.react(user, conversation, message.id, name), 204) }
        expectError(try await api.react(user, conversation, message.id, ":e20:"), 422, "invalid", field: "emoji")
        expectError(try await api.react(admin, conversation, message.id, "👍"), 422, "invalid", field: "emoji")
        try expectStatus(try await api.react(admin, conversation, message.id, ":e7:"), 204)
        let stored = try await api.getMessage(admin, conversation, message.id).decode(Message.self)
        #expect(stored.reactions.map(\.emoji) == emoji)
        #expect(stored.reactions[7] == ReactionCount(emoji: ":e7:", count: 2, me: true))
    }

    @Test("reply_to: the quoted message as it is now; 422 field reply_to for another conversation's, a deleted or a system message")
    func replies() async throws {
        let api = try harness()
        let admin = try await api.user(.admin, name: "Ada")
        let member = try await api.user(.member, name: "Grace")
        let chat = try await api.circleChat(admin, members: [member])
        let other = try await api.directChat(admin, member)
        let question = try await api.sent(member, chat.conversation, "When\n  do we   meet?")
        let response = try await api.reply(admin, chat.conversation, to: question.id, "At nine.")
        try expectStatus(response, 201)
        let answer = try response.decode(Message.self)
        #expect(answer.replyTo == QuotedMessage(id: question.id, seq: question.seq, sender: UserRef(id: member.id, name: "Grace"),
                                                bodyPreview: "When do we meet?", deleted: false))

        try expectStatus(try await api.edit(member, chat.conversation, question.id, "When do we meet tomorrow?"), 200)
        #expect(try await api.getMessage(admin, chat.conversation, answer.id).decode(Message.self).replyTo?.bodyPreview
                == "When do we meet tomorrow?")
        let foreign = try await api.sent(admin, other, "elsewhere")
        expectError(try await api.reply(admin, chat.conversation, to: foreign.id, "x"), 422, "invalid", field: "reply_to")
        expectError(try await api.reply(admin, chat.conversation, to: 999_999_999, "x"), 422, "invalid", field: "reply_to")
        let system = try #require(try await api.history(admin, chat.conversation).first { $0.kind == .system })
        expectError(try await api.reply(admin, chat.conversation, to: system.id, "x"), 422, "invalid", field: "reply_to")
        try expectStatus(try await api.delete(member, chat.conversation, question.id), 204)
        expectError(try await api.reply(admin, chat.conversation, to: question.id, "x"), 422, "invalid", field: "reply_to")
        let quoted = try await api.getMessage(admin, chat.conversation, answer.id).decode(Message.self).replyTo
        #expect(quoted == QuotedMessage(id: question.id, seq: question.seq, sender: UserRef(id: member.id, name: "Grace"),
                                        bodyPreview: "", deleted: true))
        #expect(try await api.database.scalar("SELECT count(*) FROM chat.messages WHERE body = 'x'") == "0")
    }

    @Test("the 201, the GET and the history forms of a message are equal field for field, reply and reactions included")
    func formsAgree() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let user = try await api.user()
        let conversation = try await api.directChat(admin, user)
        let first = try await api.sent(user, conversation, "first")
        let created = try await api.reply(admin, conversation, to: first.id, "second")
        try expectStatus(created, 201)
        let fromGet = try await api.getMessage(admin, conversation, try created.decode(Message.self).id)
        let object = try created.object()
        #expect(try canonical(object) == canonical(try fromGet.object()))
        let history = try await api.call("GET", "/v1/conversations/\(conversation)/messages", token: admin.token).items()
        #expect(try canonical(object) == canonical(try #require(history.last)))
        #expect(object.keys.count == 15)
        // A retried client_id answers with the message as it is now (edited), like a GET.
        let retried = try await api.send(user, conversation, "again", clientID: "same")
        try expectStatus(retried, 201)
        let retriedMessage = try retried.decode(Message.self)
        try expectStatus(try await api.edit(user, conversation, retriedMessage.id, "again, edited"), 200)
        let replay = try await api.send(user, conversation, "again", clientID: "same")
        try expectStatus(replay, 200)
        let current = try await api.getMessage(user, conversation, retriedMessage.id)
        #expect(try canonical(try replay.object()) == canonical(try current.object()))
        #expect(try replay.decode(Message.self).body == "again, edited")
    }
}

/// JSON text with sorted keys, to compare two forms of one object field for field.
func canonical(_ object: [String: Any]) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}
