@testable import ChatStore
import Postgres
import Testing

@Suite("Scale seed")
struct ScaleSeedTests {
    /// A tiny set whose messages take three statements, so that the loader's chunks meet twice.
    static func tinySeed() -> ScaleSeed {
        var seed = ScaleSeed(messages: 2000, users: 300, conversations: 60)
        seed.messagesPerStatement = 700
        return seed
    }

    @Test("a tiny scale set reads as the API wrote it: counters, gap-free seqs, allowed senders, scale-member's chats, read markers, triggers and keys back")
    func loadsAConsistentSet() async throws {
        try await StoreFixture.with { fixture in
            let seed = Self.tinySeed()
            let summary = try await fixture.pool.withConnection { try seed.load(on: $0) }
            #expect(summary == "loaded 2000 messages over 60 conversations (24 circle chats, 36 direct chats) and 300 users "
                + "(10 admins); scale-member is in 20 circles and 10 direct chats")
            let facts = try await fixture.pool.withConnection { conn in
                try conn.query("""
                    SELECT
                      (SELECT count(*) FROM chat.messages WHERE kind = 'user') AS loaded,
                      (SELECT count(*) FROM chat.conversations c
                        WHERE c.last_seq <> (SELECT count(*) FROM chat.messages m WHERE m.conversation_id = c.id)
                           OR c.last_seq <> coalesce((SELECT max(seq) FROM chat.messages m WHERE m.conversation_id = c.id), 0)
                           OR c.last_message_id IS DISTINCT FROM (SELECT m.id FROM chat.messages m
                                WHERE m.conversation_id = c.id AND m.kind = 'user' ORDER BY m.seq DESC LIMIT 1)
                           OR c.last_activity_at <> (SELECT max(m.created_at) FROM chat.messages m WHERE m.conversation_id = c.id))
                        AS broken_conversations,
                      (SELECT count(*) FROM (SELECT created_at <= lag(created_at) OVER w OR id < lag(id) OVER w AS back
                                               FROM chat.messages WINDOW w AS (PARTITION BY conversation_id ORDER BY seq)) AS x
                        WHERE back) AS out_of_order,
                      (SELECT count(*) FROM chat.messages m JOIN chat.conversations c ON c.id = m.conversation_id
                         JOIN chat.users u ON u.id = m.sender_id
                        WHERE CASE WHEN c.kind = 'direct' THEN m.sender_id NOT IN (c.direct_user_low, c.direct_user_high)
                                   ELSE u.role <> 'admin' AND (c.send_policy = 'admins_only' OR NOT EXISTS (
                                        SELECT 1 FROM chat.circle_members cm WHERE cm.circle_id = c.circle_id AND cm.user_id = m.sender_id))
                              END) AS bad_senders,
                      (SELECT count(*) FROM chat.messages m, unnest(m.mentions) AS x (id)
                        WHERE NOT EXISTS (SELECT 1 FROM chat.users u CROSS JOIN LATERAL chat.visible_conversations(u.id, u.role = 'admin') v
                                           WHERE u.id = x.id AND v.id = m.conversation_id)) AS bad_mentions,
                      (SELECT count(*) FROM chat.messages WHERE mentions <> '{}') AS mentioning,
                      (SELECT count(*) FROM chat.message_mentions) AS mention_rows,
                      (SELECT count(*) FROM chat.messages WHERE kind = 'user' AND search_vector IS NULL) AS unindexed,
                      (SELECT count(*) FROM chat.visible_conversations('scale-member', false) WHERE kind = 'circle') AS member_circles,
                      (SELECT count(*) FROM chat.visible_conversations('scale-member', false) WHERE kind = 'direct') AS member_directs,
                      (SELECT count(*) FROM chat.visible_conversations('scale-admin', true) WHERE kind = 'circle') AS admin_circles,
                      (SELECT count(*) FROM chat.read_markers r JOIN chat.conversations c ON c.id = r.conversation_id
                        WHERE r.last_read_seq NOT BETWEEN 0 AND c.last_seq
                           OR r.last_read_seq < (SELECT coalesce(max(m.seq), 0) FROM chat.messages m
                                                  WHERE m.conversation_id = r.conversation_id AND m.sender_id = r.user_id))
                        AS bad_markers,
                      (SELECT count(*) FROM chat.messages m WHERE m.kind = 'user' AND NOT EXISTS (SELECT 1 FROM chat.read_markers r
                         WHERE r.conversation_id = m.conversation_id AND r.user_id = m.sender_id)) AS senders_without_marker,
                      (SELECT sum(unread_count) FROM chat.unread_counts WHERE user_id = 'scale-member') AS member_unread,
                      (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'chat.messages'::regclass AND tgenabled = 'D') AS disabled,
                      (SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND convalidated
                          AND conrelid IN ('chat.messages'::regclass, 'chat.circle_members'::regclass, 'chat.read_markers'::regclass))
                        AS foreign_keys
                    """)[0]
            }
            #expect(try facts.decode("loaded", as: Int.self) == 2000)
            #expect(try facts.decode("broken_conversations", as: Int.self) == 0)
            #expect(try facts.decode("out_of_order", as: Int.self) == 0)
            #expect(try facts.decode("bad_senders", as: Int.self) == 0)
            #expect(try facts.decode("bad_mentions", as: Int.self) == 0)
            #expect(try facts.decode("mentioning", as: Int.self) > 0)
            #expect(try facts.decode("mention_rows", as: Int.self) == facts.decode("mentioning", as: Int.self))
            #expect(try facts.decode("unindexed", as: Int.self) == 0)
            #expect(try facts.decode("member_circles", as: Int.self) == 20)
            #expect(try facts.decode("member_directs", as: Int.self) == 10)
            #expect(try facts.decode("admin_circles", as: Int.self) == 24)
            #expect(try facts.decode("bad_markers", as: Int.self) == 0)
            #expect(try facts.decode("senders_without_marker", as: Int.self) == 0)
            #expect(try facts.decode("member_unread", as: Int.self) > 0, "scale-member has unread badges")
            #expect(try facts.decode("disabled", as: Int.self) == 0)
            #expect(try facts.decode("foreign_keys", as: Int.self) == 8, "4 of messages, 2 of circle_members, 2 of read_markers")

            // The triggers work again: a message sent now takes the next seq and writes its event.
            let sent = try await fixture.pool.withConnection { conn in
                try conn.query("""
                    WITH sent AS (
                        INSERT INTO chat.messages (conversation_id, sender_id, body)
                        SELECT id, direct_user_high, 'after the load' FROM chat.conversations
                         WHERE kind = 'direct' AND direct_user_high = 'scale-member' ORDER BY id LIMIT 1
                        RETURNING conversation_id, seq)
                    SELECT sent.seq = c.last_seq + 1 AS next FROM sent JOIN chat.conversations c ON c.id = sent.conversation_id
                    """)[0].decode("next", as: Bool.self)
            }
            #expect(sent)
            #expect(try await fixture.events(["message.created"]).count == 24 + 1, "the chat_created messages, then the one sent")
        }
    }

    @Test("the same sizes give the same set, ids included")
    func isDeterministic() throws {
        var first = SplitMix64(seed: 16)
        var second = SplitMix64(seed: 16)
        let one = try ScalePopulation(users: 10_000, conversations: 2_000, random: &first)
        let other = try ScalePopulation(users: 10_000, conversations: 2_000, random: &second)
        #expect(one.conversationIDs == other.conversationIDs)
        #expect(one.directs.map(\.member) == other.directs.map(\.member))
        #expect(Set(one.conversationIDs).count == 2_000)
        #expect(one.conversationIDs.allSatisfy { $0.count == 36 && $0.dropFirst(14).first == "4" })
    }

    @Test("the default population: 50 admins, 8,000 circles (20 big), scale-member in 20 circles (one admins-only big one) and 10 direct chats, no pair twice")
    func defaultPopulation() throws {
        var random = SplitMix64(seed: 16)
        let population = try ScalePopulation(users: 100_000, conversations: 20_000, random: &random)
        #expect(population.admins == 50 && population.members == 99_950)
        #expect(population.circles.count == 8000 && population.directs.count == 12_000)
        #expect(population.circles.filter { $0.size >= 1000 }.count == 20)
        #expect(population.circles.filter { $0.adminsOnly }.count == 800)
        let own = population.circles.filter(\.withScaleMember)
        #expect(own.count == 20 && own.contains { $0.adminsOnly && $0.size >= 1000 })
        #expect(population.directs.filter { $0.member == 0 }.count == 10)
        #expect(Set(population.directs.map { "\($0.admin) \($0.member)" }).count == 12_000)
    }

    @Test("sizes that make no population are refused before anything is written")
    func refusesUnfitSizes() async throws {
        try await StoreFixture.with { fixture in
            await #expect(throws: ScaleSeed.Unfit.self) {
                try await fixture.pool.withConnection { try ScaleSeed(messages: 10, users: 100, conversations: 5000).load(on: $0) }
            }
            let users = try await fixture.count("chat.users")
            #expect(users == 0)
        }
    }
}
