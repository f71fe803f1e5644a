import Foundation
import Postgres
import Synchronization
import Testing

@Suite("Concurrent writers")
struct ConcurrentWriterTests {
    @Test("one direct conversation per pair, however many start it at once and in either order")
    func oneDirectConversationPerPair() async throws {
        try await StoreFixture.with(maxConnections: 12) { fixture in
            try await fixture.user("admin-1", role: "admin")
            try await fixture.user("user-1")
            let pool = fixture.pool
            let results = try await withThrowingTaskGroup(of: (UUID, Bool).self) { group in
                for attempt in 0..<24 {
                    let (first, second) = attempt.isMultiple(of: 2) ? ("admin-1", "user-1") : ("user-1", "admin-1")
                    group.addTask {
                        let row = try await pool.query("""
                            SELECT conversation_id, created FROM chat.open_direct_conversation(\(first), \(second), 'admin-1')
                            """)[0]
                        return (try row.decode("conversation_id"), try row.decode("created"))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(results.map(\.0)).count == 1)
            #expect(results.filter(\.1).count == 1, "exactly one caller created it")
            #expect(try await fixture.count("chat.conversations") == 1)
            #expect(try await fixture.count("chat.direct_participants") == 2)
            #expect(try await fixture.events(["conversation.created"]).count == 1)
        }
    }

    @Test("seq stays gap-free and in event order under 20 concurrent writers into one conversation")
    func seqUnderConcurrentWriters() async throws {
        try await StoreFixture.with(maxConnections: 20) { fixture in
            try await fixture.user("a1", role: "admin")
            try await fixture.user("u1")
            let conversation = try await fixture.direct("a1", "u1")
            let pool = fixture.pool
            let writers = 20, messagesEach = 10
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        for index in 0..<messagesEach {
                            _ = try await pool.withTransaction { connection in
                                try connection.execute("""
                                    INSERT INTO chat.messages (conversation_id, sender_id, body)
                                    VALUES (\(conversation), \(writer.isMultiple(of: 2) ? "a1" : "u1"), \("w\(writer) m\(index)"))
                                    """)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let total = Int64(writers * messagesEach)
            let seqs = try await pool.query("SELECT seq FROM chat.messages ORDER BY seq").map { try $0.decode("seq", as: Int64.self) }
            #expect(seqs == Array(1...total))
            let lastSeq = try await pool.query("SELECT last_seq FROM chat.conversations")[0].decode("last_seq", as: Int64.self)
            #expect(lastSeq == total)
            let eventSeqs = try await fixture.events(["message.created"]).map { event in
                try #require((try event.json()["message"] as? [String: Any])?["seq"] as? Int)
            }
            #expect(eventSeqs == Array(1...Int(total)), "events of one conversation come in seq order")
        }
    }

    @Test("event positions are gap-free and follow commit order: a tailer never sees a hole")
    func positionsFollowCommitOrder() async throws {
        try await StoreFixture.with(maxConnections: 10) { fixture in
            try await fixture.user("a1", role: "admin")
            var conversations: [UUID] = []
            for index in 0..<8 {
                try await fixture.user("u\(index)")
                conversations.append(try await fixture.direct("a1", "u\(index)"))
            }
            let pool = fixture.pool
            let baseline = try await pool.query("SELECT last_pos FROM chat.event_counter")[0].decode("last_pos", as: Int64.self)
            let transactionsEach = 25
            let expected = Int64(conversations.count * transactionsEach * 2)
            let holes = Mutex<[String]>([])

            // The tailer follows the writers however long they take on a busy machine, and
            // stops a while after they are done even if it never reached the last position.
            let writersDone = Mutex<ContinuousClock.Instant?>(nil)
            let tailer = Task {
                var cursor = baseline
                while cursor < baseline + expected,
                      writersDone.withLock({ $0.map { ContinuousClock.now - $0 < .seconds(10) } ?? true }) {
                    let positions = try await pool.query("""
                        SELECT pos FROM chat.events WHERE pos > \(cursor) ORDER BY pos LIMIT 1000
                        """).map { try $0.decode("pos", as: Int64.self) }
                    for position in positions {
                        if position != cursor + 1 { holes.withLock { $0.append("saw \(position) after \(cursor)") } }
                        cursor = position
                    }
                    try await Task.sleep(for: .milliseconds(2))
                }
                return cursor
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, conversation) in conversations.enumerated() {
                    group.addTask {
                        for turn in 0..<transactionsEach {
                            _ = try await pool.withTransaction { connection in
                                try connection.execute("""
                                    INSERT INTO chat.messages (conversation_id, sender_id, body)
                                    VALUES (\(conversation), 'a1', \("first \(turn)")), (\(conversation), \("u\(index)"), \("second \(turn)"))
                                    """)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            writersDone.withLock { $0 = ContinuousClock.now }
            let tailed = try await tailer.value
            #expect(tailed == baseline + expected, "the tailer reached the last position")
            #expect(holes.withLock { $0 }.isEmpty, "\(holes.withLock { $0 }.prefix(5))")
            let summary = try await pool.query("""
                SELECT count(*) AS n, count(DISTINCT pos) AS d, min(pos) AS lo, max(pos) AS hi,
                       count(*) FILTER (WHERE pos IS NULL) AS unnumbered
                  FROM chat.events
                """)[0]
            let count = try summary.decode("n", as: Int64.self)
            #expect(try summary.decode("d", as: Int64.self) == count)
            #expect(try summary.decode("lo", as: Int64.self) == 1)
            #expect(try summary.decode("hi", as: Int64.self) == count)
            #expect(try summary.decode("unnumbered", as: Int64.self) == 0)
            #expect(try await pool.query("SELECT last_pos FROM chat.event_counter")[0].decode("last_pos", as: Int64.self) == count)
        }
    }
}
