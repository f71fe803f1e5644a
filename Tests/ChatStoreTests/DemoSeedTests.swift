import ChatStore
import Postgres
import Testing

@Suite("Demo seed")
struct DemoSeedTests {
    static let tables = [
        "chat.users", "chat.circles", "chat.circle_members", "chat.conversations", "chat.messages",
        "chat.read_markers", "chat.events",
    ]

    @Test("loads a believable demo, and a second run changes nothing")
    func loadsOnceIdempotently() async throws {
        try await StoreFixture.with { fixture in
            let first = try await DemoSeed().load(using: fixture.pool)
            #expect(first.users == 38)
            #expect(first.circles == 4)
            #expect(first.conversations == 10)
            #expect((120...180).contains(first.messages))

            var counts: [String: Int] = [:]
            for table in Self.tables { counts[table] = try await fixture.count(table) }
            let second = try await DemoSeed().load(using: fixture.pool)
            #expect(second == DemoSeed.Summary())
            for table in Self.tables {
                #expect(try await fixture.count(table) == counts[table], "\(table)")
            }

            let shape = try await fixture.pool.query("""
                SELECT count(*) FILTER (WHERE role = 'admin') AS admins,
                       count(*) FILTER (WHERE avatar_url IS NULL) AS without_avatar,
                       count(*) FILTER (WHERE NOT active) AS inactive,
                       (SELECT count(*) FROM chat.conversations WHERE send_policy = 'admins_only') AS announcement_channels,
                       (SELECT count(*) FROM chat.circles ci WHERE NOT EXISTS
                            (SELECT 1 FROM chat.conversations c WHERE c.circle_id = ci.id)) AS circles_without_chat,
                       (SELECT count(*) FROM chat.conversations c WHERE c.last_seq <>
                            (SELECT count(*) FROM chat.messages m WHERE m.conversation_id = c.id)) AS seq_gaps,
                       (SELECT count(*) FROM chat.messages m JOIN chat.conversations c ON c.id = m.conversation_id
                         WHERE c.send_policy = 'admins_only'
                           AND (SELECT role FROM chat.users u WHERE u.id = m.sender_id) <> 'admin') AS member_announcements,
                       (SELECT min(created_at) > now() - interval '5 days 1 minute' AND max(created_at) < now()
                          FROM chat.messages) AS within_five_days,
                       (SELECT sum(unread_count) FROM chat.unread_counts WHERE user_id = 'admin-grace') AS admin_unread
                  FROM chat.users
                """)[0]
            #expect(try shape.decode("admins", as: Int.self) == 2)
            #expect(try shape.decode("without_avatar", as: Int.self) > 0)
            #expect(try shape.decode("inactive", as: Int.self) == 1)
            #expect(try shape.decode("announcement_channels", as: Int.self) == 1)
            #expect(try shape.decode("circles_without_chat", as: Int.self) == 1)
            #expect(try shape.decode("seq_gaps", as: Int.self) == 0)
            #expect(try shape.decode("member_announcements", as: Int.self) == 0)
            #expect(try shape.decode("within_five_days", as: Bool.self))
            #expect(try shape.decode("admin_unread", as: Int.self) > 0, "the demo admin has unread badges")
        }
    }
}
