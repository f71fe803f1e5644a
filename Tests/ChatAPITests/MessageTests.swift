import Foundation
import Models
import Testing
import TestSupport

/// Sending and reading messages (docs/api.md: send, history, body rules, idempotent `client_id`,
/// `admins_only`), through the group committer.
@Suite(.chatAPI())
struct MessageTests {
    @Test("a message: 201 with id, conversation_id, seq, sender, body, client_id, created_at")
    func sendShape() async throws {
        let api = try harness()
        let admin = try await api.user(.admin, name: "Ann")
        let user = try await api.user()
        let conversation = try await api.directChat(admin, user)
        let response = try await api.send(admin, conversation, "Hello,\n\tworld", clientID: "c-1")
        try expectStatus(response, 201)
        let body = try response.object()
        #expect(body.keys.sorted() == ["attachments", "body", "client_id", "conversation_id", "created_at", "deleted", "edited_at",
                                       "id", "kind", "mentions", "reactions", "reply_to", "sender", "seq", "system"])
        let message = try response.decode(Message.self)
        #expect(message.conversationID == conversation)
        #expect(message.seq == 1)
        #expect(message.sender == Sender(id: admin.id, name: "Ann", avatarURL: nil))
        #expect(message.body == "Hello,\n\tworld")
        #expect(message.clientID == "c-1")
        #expect(Timestamp.parse(message.createdAt) != nil)
        let second = try await api.sent(user, conversation, "second")
        #expect(second.seq == 2)
        #expect(second.id > message.id)
        #expect(second.clientID == nil)
        #expect(try await api.database.scalar("SELECT count(*) FROM chat.events WHERE type = 'message.created' AND conversation_id = \(conversation)::uuid") == "2")
    }

    @Test("body rules: 1 to 4,000 Unicode scalars (emoji count as one), not blank, no NUL or control characters but tab and newline")
    func bodyRules() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let user = try await api.user()
        let conversation = try await api.directChat(admin, user)
        let emoji4000 = String(repeating: "😀", count: 4000)
        try expectStatus(try await api.send(admin, conversation, emoji4000), 201)
        try expectStatus(try await api.send(admin, conversation, String(repeating: "a", count: 4000)), 201)
        try expectStatus(try await api.send(admin, conversation, "x"), 201)
        let refused = [
            "", " ", "\n\t \n", "\u{3000}\u{00A0}", String(repeating: "😀", count: 4001), String(repeating: "a", count: 4001),
            "nul\u{0}byte", "bell\u{7}", "carriage\rreturn", "escape\u{1B}[31m", "delete\u{7F}", "c1\u{85}control", "\u{9F}",
        ]
        for body in refused {
            expectError(try await api.send(admin, conversation, body), 422, "invalid", field: "body")
        }
        for json in [#"{}"#, #"{"body": null}"#, #"{"body": 42}"#, #"{"body": ["a"]}"#] {
            expectError(try await api.call("POST", "/v1/conversations/\(conversation)/messages", token: admin.token, json: json),
                        422, "invalid", field: "body")
        }
        #expect(try await api.database.scalar("SELECT count(*) FROM chat.messages WHERE conversation_id = \(conversation)::uuid") == "3")
        let stored = try await api.database.scalar("SELECT body FROM chat.messages WHERE conversation_id = \(conversation)::uuid AND seq = 1")
        #expect(stored == emoji4000)
    }

    @Test("a body that is not UTF-8, not JSON, not application/json or over 64 KiB stores nothing")
    func rawBodies() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let user = try await api.user()
        let conversation = try await api.directChat(admin, user)
        let path = "/v1/conversations/\(conversation)/messages"
        let json = [("Content-Type", "application/json")]
        let badUTF8: [UInt8] = Array(#"{"body":"caf"#.utf8) + [0xE9] + Array(#""}"#.utf8)
        expectError(try await api.call("POST", path, token: admin.token, body: badUTF8, headers: json), 400, "bad_request")
        let overlong: [UInt8] = Array(#"{"body":""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8)
        expectError(try await api.call("POST", path, token: admin.token, body: overlong, headers: json), 400, "bad_request")
        expectError(try await api.call("POST", path, token: admin.token, body: Array(#"{"body":"#.utf8), headers: json), 400, "bad_request")
        expectError(try await api.call("POST", path, token: admin.token, body: Array(#"{"body":"hi"}"#.utf8), headers: [("Content-Type", "text/plain")]),
                    415, "unsupported_media_type")
        // 65,536 bytes is the limit; one more is 413.
        let prefix = Array(#"{"body":"hi","pad":""#.utf8), suffix = Array(#""}"#.utf8)
        let exact = prefix + Array(repeating: UInt8(ascii: "p"), count: 65_536 - prefix.count - suffix.count) + suffix
        #expect(exact.count == 65_536)
        try expectStatus(try await api.call("POST", path, token: admin.token, body: exact, headers: json), 201)
        let tooBig = prefix + Array(repeating: UInt8(ascii: "p"), count: 65_537 - prefix.count - suffix.count) + suffix
        expectError(try await api.call("POST", path, token: admin.token, body: tooBig, headers: json), 413, "payload_too_large")
        #expect(try await api.database.scalar("SELECT count(*) FROM chat.messages WHERE conversation_id = \(conversation)::uuid") == "1")
    }

    @Test("client_id: 1 to 64 printable ASCII characters")
    func clientIDRules() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let user = try await api.user()
        let conversation = try await api.directChat(admin, user)
        try expectStatus(try await api.send(admin, conversation, "a", clientID: String(repeating: "k", count: 64)), 201)
        try expectStatus(try await api.send(admin, conversation, "b", clientID: "550e8400-e29b-41d4-a716-446655440000"), 201)
        for bad in ["", String(repeating: "k", count: 65), "tab\there", "é", "nul\u{0}"] {
            expectError(try await api.send(admin, conversation, "c", clientID: bad), 422, "invalid", field: "client_id")
        }
        expectError(try await api.call("POST", "/v1/conversations/\(conversation)/messages", token: admin.token, json: #"{"body":"d","client_id":5}"#),
                    422, "invalid", field: "client_id")
    }

    @Test("SQL-looking bodies are stored and returned verbatim")
    func verbatimBodies() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let user = try await api.user()
        let conversation = try await api.directChat(admin, user)
        let bodies = ["'; DROP TABLE chat.messages; --", "$1 $2 \\x00 %s %n", "SELECT * FROM chat.users WHERE '1'='1'",
                      "{\"json\": [1, 2]}", "<script>alert(1)</script>", "E'\\\\'", "שלום 👋🏽 عربى"]
        for body in bodies {
            #expect(try await api.sent(admin, conversation, body).body == body)
        }
        let history = try await api.call("GET", "/v1/conversations/\(conversation)/messages", token: user.token).decode(Page.self)
        #expect(history.items.map(\.body) == bodies)
    }

    @Test("the same client_id again is 200 with the first message and stores nothing twice, even 20 at once")
    func idempotentRetries() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let user = try await api.user()
        let conversation = try await api.directChat(admin, user)
        let first = try await api.sent(admin, conversation, "once", clientID: "retry-1")
        let again = try await api.send(admin, conversation, "a different body", clientID: "retry-1")
        try expectStatus(again, 200)
        #expect(try again.decode(Message.self) == first)
        // The same client_id from another sender or in another conversation is another message.
        try expectStatus(try await api.send(user, conversation, "mine", clientID: "retry-1"), 201)
        let responses = try await withThrowingTaskGroup(of: HTTPTestResponse.self) { group in
            for _ in 0..<20 { group.addTask { try await api.send(admin, conversation, "burst", clientID: "burst-1") } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(responses.filter { $0.status == 201 }.count == 1)
        #expect(responses.filter { $0.status == 200 }.count == 19)
        let messages = try responses.map { try $0.decode(Message.self) }
        #expect(Set(messages.map(\.id)).count == 1)
        #expect(try await api.database.scalar("""
            SELECT count(*) FROM chat.messages WHERE conversation_id = \(conversation)::uuid AND client_id = 'burst-1'
            """) == "1")
        #expect(try await api.database.scalar("SELECT max(seq) FROM chat.messages WHERE conversation_id = \(conversation)::uuid") == "3")
    }

    @Test("50 concurrent senders into one conversation: every message stored once, seq 1...n without gaps, in commit order")
    func concurrentSenders() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let senders = try await withThrowingTaskGroup(of: TestUser.self) { group in
            for _ in 0..<50 { group.addTask { try await api.user() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let chat = try await api.circleChat(admin, members: senders)
        let perSender = 4
        let messages = try await withThrowingTaskGroup(of: [Message].self) { group in
            for sender in senders {
                group.addTask {
                    var mine: [Message] = []
                    for n in 0..<perSender { mine.append(try await api.sent(sender, chat.conversation, "\(sender.id) #\(n)")) }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0.append(contentsOf: $1) }
        }
        let count = senders.count * perSender
        #expect(messages.count == count)
        // seq 1 is the chat_created system message.
        #expect(messages.map(\.seq).sorted() == Array(2...Int64(count + 1)))
        #expect(Set(messages.map(\.id)).count == count)
        // Each sender's own messages got increasing seqs (a later send never overtakes).
        for sender in senders {
            let seqs = messages.filter { $0.sender?.id == sender.id }.sorted { $0.body < $1.body }.map(\.seq)
            #expect(seqs == seqs.sorted())
        }
        let stored = try await api.database.rows("""
            SELECT seq, id FROM chat.messages WHERE conversation_id = \(chat.conversation)::uuid ORDER BY seq
            """)
        #expect(stored.map { Int64($0["seq"]!!) } == Array(1...Int64(count + 1)))
        #expect(try await api.database.scalar("SELECT last_seq FROM chat.conversations WHERE id = \(chat.conversation)::uuid") == "\(count + 1)")
        #expect(try await api.database.scalar("""
            SELECT count(*) FROM chat.events WHERE type = 'message.created' AND conversation_id = \(chat.conversation)::uuid AND pos IS NOT NULL
            """) == "\(count + 1)")
    }

    @Test("admins_only: members read but get 403 send_forbidden; admins send; can_send tells which")
    func adminsOnly() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let otherAdmin = try await api.user(.admin)
        let member = try await api.user()
        let chat = try await api.circleChat(admin, members: [member], policy: .adminsOnly)
        try await api.sent(admin, chat.conversation, "announcement")
        try await api.sent(otherAdmin, chat.conversation, "from an admin who is not a member")
        expectError(try await api.send(member, chat.conversation, "may I?"), 403, "send_forbidden")
        let history = try await api.call("GET", "/v1/conversations/\(chat.conversation)/messages", token: member.token)
        try expectStatus(history, 200)
        #expect(try history.decode(Page.self).items.map(\.kind) == [.system, .user, .user])  // chat_created first
        #expect(try await api.call("GET", "/v1/conversations/\(chat.conversation)", token: member.token).object()["can_send"] as? Bool == false)
        #expect(try await api.call("GET", "/v1/conversations/\(chat.conversation)", token: admin.token).object()["can_send"] as? Bool == true)
        try expectStatus(try await api.call("PATCH", "/v1/conversations/\(chat.conversation)", token: admin.token, json: #"{"send_policy":"all_members"}"#), 200)
        try expectStatus(try await api.send(member, chat.conversation, "now I may"), 201)
    }

    @Test("the service key cannot send")
    func serviceKeyCannotSend() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let user = try await api.user()
        let conversation = try await api.directChat(admin, user)
        expectError(try await api.call("POST", "/v1/conversations/\(conversation)/messages", token: APIHarness.serviceKey, json: #"{"body":"x"}"#),
                    403, "forbidden")
    }

    @Test("history: the newest page, before and after a seq, has_more, limits")
    func history() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let user = try await api.user()
        let conversation = try await api.directChat(admin, user)
        for n in 1...7 { try await api.sent(n.isMultiple(of: 2) ? user : admin, conversation, "m\(n)") }
        func page(_ query: String) async throws -> Page {
            let response = try await api.call("GET", "/v1/conversations/\(conversation)/messages\(query)", token: user.token)
            try expectStatus(response, 200)
            return try response.decode(Page.self)
        }
        let all = try await page("")
        #expect(all.items.map(\.seq) == Array(1...7))
        #expect(all.hasMore == false)
        let newest = try await page("?limit=3")
        #expect(newest.items.map(\.seq) == [5, 6, 7])
        #expect(newest.hasMore)
        let before = try await page("?limit=3&before=5")
        #expect(before.items.map(\.seq) == [2, 3, 4])
        #expect(before.hasMore)
        let first = try await page("?limit=3&before=2")
        #expect(first.items.map(\.seq) == [1])
        #expect(first.hasMore == false)
        let after = try await page("?limit=3&after=2")
        #expect(after.items.map(\.seq) == [3, 4, 5])
        #expect(after.hasMore)
        let tail = try await page("?after=5")
        #expect(tail.items.map(\.seq) == [6, 7])
        #expect(tail.hasMore == false)
        #expect(try await page("?after=7").items.isEmpty)
        #expect(try await page("?before=0").items.isEmpty)
        #expect(try await page("?limit=100").items.count == 7)
        #expect(try await page("?limit=1").items.map(\.seq) == [7])
        for bad in ["limit=0", "limit=101", "limit=abc", "limit=", "before=-1", "after=x", "before=1&after=2", "before=1.5",
                    "limit=1&limit=2", "after=99999999999999999999"] {
            expectError(try await api.call("GET", "/v1/conversations/\(conversation)/messages?\(bad)", token: user.token), 400, "bad_request")
        }
    }

    @Test("paging back through history neither skips nor repeats while new messages arrive")
    func historyPagingWhileSending() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let user = try await api.user()
        let conversation = try await api.directChat(admin, user)
        for n in 1...20 { try await api.sent(admin, conversation, "old \(n)") }
        var seen: [Int64] = []
        var page = try await api.call("GET", "/v1/conversations/\(conversation)/messages?limit=6", token: user.token).decode(Page.self)
        seen.append(contentsOf: page.items.map(\.seq))
        var extra = 0
        while page.hasMore, let oldest = page.items.first?.seq {
            try await api.sent(admin, conversation, "new \(extra)")
            extra += 1
            page = try await api.call("GET", "/v1/conversations/\(conversation)/messages?limit=6&before=\(oldest)", token: user.token).decode(Page.self)
            seen.insert(contentsOf: page.items.map(\.seq), at: 0)
        }
        #expect(seen == Array(1...20))
        let newer = try await api.call("GET", "/v1/conversations/\(conversation)/messages?after=20", token: user.token).decode(Page.self)
        #expect(newer.items.map(\.seq) == Array(21...Int64(20 + extra)))
    }
}

/// `{"items": [message...], "has_more"}`.
struct Page: Decodable {
    var items: [Message]
    var hasMore: Bool

    enum CodingKeys: String, CodingKey { case items, hasMore = "has_more" }
}
