import Foundation
import Models
import Postgres
import Synchronization
import Testing
import TestSupport

@Suite("Event path")
struct EventPathTests {
    @Test("a plain SQL message insert produces its message.created event with the API's Message object, and a doorbell")
    func plainInsertStreams() async throws {
        try await StoreFixture.with { fixture in
            try await fixture.user("a1", role: "admin")
            try await fixture.pool.execute("""
                INSERT INTO chat.users (id, name, email, avatar_url, role) VALUES ('u1', 'Ada Lovelace', 'ada@example.com', 'https://x/a.png', 'member')
                """)
            let conversation = try await fixture.direct("a1", "u1")
            let doorbells = Mutex<[String]>([])
            let listener = PostgresListener(
                config: fixture.database.config, channels: ["chat_events"],
                onNotification: { _, payload in doorbells.withLock { $0.append(payload) } })
            listener.start()
            defer { listener.stop() }
            #expect(await eventually { listener.isConnected })

            let row = try await fixture.pool.query("""
                INSERT INTO chat.messages (conversation_id, sender_id, body, client_id, created_at)
                VALUES (\(conversation), 'u1', 'Hello "there"\nsecond line', 'c-1', '2026-11-25T12:00:00.123456Z')
                RETURNING id
                """)[0]
            let messageID = try row.decode("id", as: Int64.self)
            let event = try #require(try await fixture.events(["message.created"]).first)
            #expect(event.conversationID == conversation)
            #expect(event.userID == nil)

            let expected: [String: Any] = [
                "conversation_id": conversation.uuidString.lowercased(),
                "message": [
                    "id": messageID,
                    "conversation_id": conversation.uuidString.lowercased(),
                    "seq": 1,
                    "sender": ["id": "u1", "name": "Ada Lovelace", "avatar_url": "https://x/a.png"],
                    "body": "Hello \"there\"\nsecond line",
                    "client_id": "c-1",
                    "created_at": "2026-11-25T12:00:00.123Z",
                    "kind": "user", "edited_at": NSNull(), "deleted": false, "reply_to": NSNull(), "reactions": [Any](),
                    "system": NSNull(), "mentions": [Any](), "attachments": [Any](),
                ] as [String: Any],
            ]
            #expect(NSDictionary(dictionary: try event.json()).isEqual(to: expected), "\(event.payload)")
            let decoded = try JSONDecoder().decode(MessageCreatedData.self, from: Data(event.payload.utf8))
            #expect(decoded.message.sender == Sender(id: "u1", name: "Ada Lovelace", avatarURL: "https://x/a.png"))

            #expect(await eventually { doorbells.withLock { $0.contains(String(event.pos)) } }, "pg_notify carries the last position")
        }
    }

    @Test("a transaction left open with a message blocks no sender elsewhere and delays no one else's event")
    func openTransactionHazard() async throws {
        try await StoreFixture.with(maxConnections: 4) { fixture in
            try await fixture.user("a1", role: "admin")
            try await fixture.user("u1")
            try await fixture.user("u2")
            let held = try await fixture.direct("a1", "u1")
            let other = try await fixture.direct("a1", "u2")
            let phase = Atomic<Int>(0)  // 1: inserted and open, 2: committed
            let doorbells = Mutex<[String]>([])
            let listener = PostgresListener(
                config: fixture.database.config, channels: ["chat_events"],
                onNotification: { _, payload in doorbells.withLock { $0.append(payload) } })
            listener.start()
            defer { listener.stop() }
            #expect(await eventually { listener.isConnected })

            // The transaction stays open at least 3 s and until the checks below are done (at most
            // 90 s, far longer than any one of their waits). A sender it blocked could finish only
            // after it commits, and a doorbell it delayed could ring only then: the checks would
            // time out or see phase 2, whatever the machine's load. Their time bounds leave room
            // for a busy machine; the phase is what tells a blocked sender from a slow one.
            let release = Atomic<Bool>(false)
            let pool = fixture.pool
            let open = Task {
                try await pool.withConnection { connection in
                    try connection.withTransaction { transaction in
                        try transaction.execute("""
                            INSERT INTO chat.messages (conversation_id, sender_id, body) VALUES (\(held), 'a1', 'slow')
                            """)
                        phase.store(1, ordering: .sequentiallyConsistent)
                        let opened = ContinuousClock.now
                        while ContinuousClock.now - opened < .seconds(90),
                              !release.load(ordering: .sequentiallyConsistent) || ContinuousClock.now - opened < .seconds(3) {
                            Thread.sleep(forTimeInterval: 0.01)  // idle in transaction, as at a psql prompt
                        }
                    }
                    phase.store(2, ordering: .sequentiallyConsistent)
                }
            }
            #expect(await eventually { phase.load(ordering: .sequentiallyConsistent) == 1 })

            var positions: [Int64] = []
            for index in 0..<5 {
                let started = ContinuousClock.now
                try await fixture.send("fast \(index)", from: "a1", to: other)
                #expect(ContinuousClock.now - started < .seconds(10), "a sender into another conversation waited")
                let committed = try await fixture.events(["message.created"])
                #expect(committed.allSatisfy { $0.conversationID == other }, "the open transaction's event is not visible yet")
                positions = committed.map(\.pos)
                #expect(positions.count == index + 1, "the event got its position at once")
                let last = try #require(positions.last)
                #expect(await eventually(timeout: .seconds(10)) { doorbells.withLock { $0.contains(String(last)) } },
                        "the doorbell rang while the other transaction was open")
            }
            #expect(phase.load(ordering: .sequentiallyConsistent) == 1, "the slow transaction was still open throughout")

            release.store(true, ordering: .sequentiallyConsistent)
            try await open.value
            let all = try await fixture.events(["message.created"])
            #expect(all.count == 6)
            #expect(all.last?.conversationID == held, "the slow event comes after, in commit order")
            #expect(all.map(\.pos) == Array(all[0].pos...(all[0].pos + 5)), "positions stay gap-free")
        }
    }

    @Test("membership changes emit member.added / member.removed only for circles that have a chat")
    func membershipEvents() async throws {
        try await StoreFixture.with { fixture in
            for id in ["u1", "u2", "u3", "u4"] { try await fixture.user(id) }
            try await fixture.circle("with-chat", members: ["u1"])
            try await fixture.circle("no-chat", members: ["u1"])
            let chat = try await fixture.circleChat("with-chat")

            try await fixture.pool.execute("""
                INSERT INTO chat.circle_members (circle_id, user_id)
                VALUES ('with-chat', 'u2'), ('with-chat', 'u3'), ('with-chat', 'u4'), ('no-chat', 'u2')
                """)
            try await fixture.pool.execute("DELETE FROM chat.circle_members WHERE user_id IN ('u1', 'u3')")
            let events = try await fixture.events(["member.added", "member.removed"])
            #expect(events.map { "\($0.type) \($0.userID ?? "-")" } == [
                "member.added u2", "member.added u3", "member.added u4", "member.removed u1", "member.removed u3",
            ])
            #expect(events.allSatisfy { $0.conversationID == chat })

            let update = await #expect(throws: PostgresError.self) {
                try await fixture.pool.execute("UPDATE chat.circle_members SET user_id = 'u1' WHERE user_id = 'u2'")
            }
            #expect(update?.sqlState == "0A000")
        }
    }

    @Test("conversation, user and session changes emit their events, and nothing else does")
    func otherEvents() async throws {
        try await StoreFixture.with { fixture in
            try await fixture.user("a1", role: "admin")
            try await fixture.user("u1")
            try await fixture.circle("c1", members: ["u1"])
            let chat = try await fixture.circleChat("c1")
            let direct = try await fixture.direct("a1", "u1")
            let participants = try await fixture.pool.query("""
                SELECT user_id FROM chat.direct_participants WHERE conversation_id = \(direct) ORDER BY user_id
                """).map { try $0.decode("user_id", as: String.self) }
            #expect(participants == ["a1", "u1"])

            let pool = fixture.pool
            let before = try await fixture.events().count
            try await fixture.send("hi", from: "a1", to: chat)
            try await pool.execute("UPDATE chat.conversations SET custom_title = 'News', send_policy = 'admins_only' WHERE id = \(chat)")
            try await pool.execute("UPDATE chat.conversations SET custom_title = 'News' WHERE id = \(chat)")  // unchanged
            try await pool.execute("UPDATE chat.conversations SET last_activity_at = now(), last_seq = last_seq WHERE id = \(chat)")
            try await pool.execute("UPDATE chat.circles SET name = 'Renamed' WHERE id = 'c1'")
            try await pool.execute("UPDATE chat.users SET name = 'New Name' WHERE id = 'u1'")  // not an event
            try await pool.execute("UPDATE chat.users SET role = 'admin' WHERE id = 'u1'")
            try await pool.execute("UPDATE chat.users SET active = false WHERE id = 'u1'")
            let sessionID = try await pool.query("""
                INSERT INTO chat.sessions (user_id, token_hash, expires_at) VALUES ('a1', sha256('t'), now() + interval '1 hour')
                RETURNING id
                """)[0].decode("id", as: Int64.self)
            try await pool.execute("UPDATE chat.sessions SET revoked_at = now() WHERE id = \(sessionID)")
            try await pool.execute("UPDATE chat.sessions SET revoked_at = now() WHERE id = \(sessionID)")  // already revoked

            let events = Array(try await fixture.events().dropFirst(before))
            // The title and policy change also write their two system messages (message.created).
            #expect(events.map(\.type) == [
                "message.created", "conversation.updated", "message.created", "message.created", "conversation.updated",
                "user.updated", "user.updated", "session.revoked",
            ])
            #expect(events[1].conversationID == chat && events[4].conversationID == chat)
            #expect(NSDictionary(dictionary: try events[5].json()).isEqual(to: ["role": "admin", "active": true]))
            #expect(NSDictionary(dictionary: try events[6].json()).isEqual(to: ["role": "admin", "active": false]))
            #expect(events[5].userID == "u1")
            #expect(events[7].userID == "a1")
            let revoked = try events[7].json()
            #expect(Set(revoked.keys) == ["session_id"])
            #expect((revoked["session_id"] as? NSNumber)?.int64Value == sessionID, "\(events[7].payload)")
        }
    }

    @Test("conversation_json is the viewer-neutral conversation the services render")
    func conversationJSON() async throws {
        try await StoreFixture.with { fixture in
            try await fixture.user("a1", role: "admin")
            try await fixture.user("u1")
            try await fixture.circle("c1", members: ["u1", "a1"])
            let chat = try await fixture.circleChat("c1", policy: "admins_only")
            let direct = try await fixture.direct("u1", "a1")
            try await fixture.send(String(repeating: "word ", count: 40) + "\n\nend", from: "a1", to: chat)

            func json(_ id: UUID) async throws -> [String: Any] {
                let text = try await fixture.pool.query("SELECT chat.conversation_json(\(id))::text AS j")[0].decode("j", as: String.self)
                return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            }
            let circle = try await json(chat)
            #expect(Set(circle.keys) == ["id", "kind", "custom_title", "circle", "participants", "member_count",
                                         "send_policy", "created_at", "last_activity_at", "last_message"])
            #expect(circle["kind"] as? String == "circle")
            #expect(circle["member_count"] as? Int == 2)
            #expect(circle["send_policy"] as? String == "admins_only")
            #expect((circle["participants"] as? [Any])?.isEmpty == true)
            #expect(circle["custom_title"] is NSNull)
            #expect(NSDictionary(dictionary: try #require(circle["circle"] as? [String: Any]))
                .isEqual(to: ["id": "c1", "name": "Circle c1", "url": NSNull()]))
            let last = try #require(circle["last_message"] as? [String: Any])
            #expect(Set(last.keys) == ["id", "seq", "sender", "body_preview", "deleted", "created_at"])
            let preview = try #require(last["body_preview"] as? String)
            #expect(preview.count == 140 && !preview.contains("\n"))
            #expect(Timestamp.parse(try #require(last["created_at"] as? String)) != nil)

            let pair = try await json(direct)
            #expect(pair["circle"] is NSNull)
            #expect(pair["last_message"] is NSNull)
            #expect(pair["member_count"] as? Int == 2)
            let people = try #require(pair["participants"] as? [[String: Any]])
            #expect(people.map { $0["id"] as? String } == ["a1", "u1"])
            #expect(Set(people[0].keys) == ["id", "name", "email", "avatar_url"])
            #expect(try await fixture.pool.query("SELECT chat.conversation_json(gen_random_uuid()) AS j")[0]["j"] == nil)
        }
    }

    @Test("the views answer who sees what and how much is unread")
    func accessAndUnreadViews() async throws {
        try await StoreFixture.with { fixture in
            try await fixture.user("a1", role: "admin")
            try await fixture.user("u1")
            try await fixture.user("u2")
            try await fixture.circle("c1", members: ["u1"])
            let chat = try await fixture.circleChat("c1", policy: "admins_only")
            let direct = try await fixture.direct("a1", "u2")
            // seq 1 is the chat_created system message, which never counts; "one" is seq 2.
            for body in ["one", "two", "three"] { try await fixture.send(body, from: "a1", to: chat) }
            try await fixture.send("hello", from: "u2", to: direct)
            try await fixture.pool.execute("""
                INSERT INTO chat.read_markers (conversation_id, user_id, last_read_seq) VALUES (\(chat), 'u1', 2)
                """)

            let access = try await fixture.pool.query("""
                SELECT conversation_id, user_id, access, can_send FROM chat.conversation_access ORDER BY user_id, access
                """).map { row in
                "\(try row.decode("conversation_id", as: UUID.self) == chat ? "chat" : "direct") \(try row.decode("user_id", as: String.self)) "
                    + "\(try row.decode("access", as: String.self)) \(try row.decode("can_send", as: Bool.self))"
            }
            #expect(access == ["chat a1 admin true", "direct a1 participant true", "chat u1 member false", "direct u2 participant true"])

            let unread = try await fixture.pool.query("""
                SELECT user_id, kind, unread_count FROM chat.unread_counts ORDER BY user_id, kind
                """).map { "\(try $0.decode("user_id", as: String.self)) \(try $0.decode("kind", as: String.self)) \(try $0.decode("unread_count", as: Int.self))" }
            #expect(unread == ["a1 circle 0", "a1 direct 1", "u1 circle 2", "u2 direct 0"])
        }
    }
}
