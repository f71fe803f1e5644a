import Foundation
import Models
import Testing
import TestSupport

/// Unread counts stay exact while messages are edited and deleted and system messages are
/// written (API.md, "Messages: edit, delete, ..."): a deleted message stops counting for
/// everyone at once, an edited one does not count again, a system message never counts.
/// Readers are members (an admin's badges count every circle chat of the database).
@Suite(.chatAPI())
struct UnreadUnderChangeTests {
    @Test("deleting read and unread messages, editing, and a membership change: both readers' counts, list and badges follow")
    func deletionsWithTwoReaders() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let sender = try await api.user()
        let early = try await api.user()
        let late = try await api.user()
        let chat = try await api.circleChat(admin, members: [sender, early, late])
        var sent: [Message] = []
        for n in 1...6 { sent.append(try await api.sent(sender, chat.conversation, "m\(n)")) }
        #expect(try await api.unread(early, chat.conversation) == 6)  // the chat_created system message never counts
        let read = try await api.call("POST", "/v1/conversations/\(chat.conversation)/read", token: early.token,
                                      json: "{\"seq\": \(sent[2].seq)}")
        #expect(try read.decode(ReadState.self).unreadCount == 3)

        try expectStatus(try await api.delete(sender, chat.conversation, sent[1].id), 204)  // read by early, unread by late
        try expectStatus(try await api.delete(admin, chat.conversation, sent[4].id), 204)  // unread by both
        try expectStatus(try await api.edit(sender, chat.conversation, sent[5].id, "m6, edited"), 200)
        try expectStatus(try await api.service("PUT", "/v1/circles/\(chat.circle)/members/\(admin.id)"), 204)  // a system message

        #expect(try await api.unread(early, chat.conversation) == 2)
        #expect(try await api.unread(late, chat.conversation) == 4)
        #expect(try await api.unread(sender, chat.conversation) == 0)
        let badges = try await api.call("GET", "/v1/unread", token: late.token).object()
        #expect(badges["circle"] as? Int == 4 && badges["total"] as? Int == 4)
        let listed = try await api.call("GET", "/v1/conversations?kind=circle", token: late.token).items()
        #expect(listed.first { $0["id"] as? String == chat.conversation }?["unread_count"] as? Int == 4)
        let marked = try await api.call("POST", "/v1/conversations/\(chat.conversation)/read", token: late.token,
                                        json: "{\"seq\": \(sent[3].seq)}")
        #expect(try marked.decode(ReadState.self).unreadCount == 1)  // m6 only: m5 is deleted
        let event = try await api.database.scalar("""
            SELECT payload->>'unread_count' FROM chat.events WHERE type = 'read.updated' AND user_id = \(late.id) ORDER BY pos DESC LIMIT 1
            """)
        #expect(event == "1")
        // The view a DBA reads agrees.
        #expect(try await api.database.scalar("""
            SELECT unread_count FROM chat.unread_counts WHERE user_id = \(early.id) AND conversation_id = \(chat.conversation)::uuid
            """) == "2")
    }

    @Test("concurrent sends, deletions and reads: every reader's count equals a recount of the rows")
    func concurrentChanges() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let senders = [try await api.user(), try await api.user()]
        let readers = [try await api.user(), try await api.user()]
        let chat = try await api.circleChat(admin, members: senders + readers)
        var sentBefore: [Message] = []
        for n in 0..<12 { sentBefore.append(try await api.sent(senders[n % 2], chat.conversation, "before \(n)")) }
        let first = sentBefore
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, sender) in senders.enumerated() {
                group.addTask {
                    for n in 0..<10 { _ = try await api.sent(sender, chat.conversation, "during \(index) \(n)") }
                }
                group.addTask {
                    for message in first where message.sender?.id == sender.id {
                        _ = try await api.delete(sender, chat.conversation, message.id)
                    }
                }
            }
            for (index, reader) in readers.enumerated() {
                group.addTask {
                    for seq in stride(from: 2 + index, through: 30, by: 4) {
                        _ = try await api.call("POST", "/v1/conversations/\(chat.conversation)/read", token: reader.token,
                                               json: "{\"seq\": \(min(seq, 13))}")
                    }
                }
            }
            try await group.waitForAll()
        }
        for reader in readers + senders {
            let recount = try await api.database.scalar("""
                SELECT count(*) FROM chat.messages m
                 WHERE m.conversation_id = \(chat.conversation)::uuid AND m.kind = 'user' AND m.deleted_at IS NULL
                   AND m.sender_id <> \(reader.id)
                   AND m.seq > coalesce((SELECT last_read_seq FROM chat.read_markers
                                          WHERE conversation_id = \(chat.conversation)::uuid AND user_id = \(reader.id)), 0)
                """)
            #expect(try await api.unread(reader, chat.conversation).map(String.init) == recount, "\(reader.id)")
        }
        #expect(try await api.unread(readers[0], chat.conversation) == 20)
    }
}
