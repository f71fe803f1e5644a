import Foundation
import Models
import Testing
import TestSupport

/// `GET /v1/search/messages` (docs/api.md, "Message search"): prefixes, case and accents,
/// every word required, only what the caller may read now, never deleted messages, edits
/// re-indexed, newest first with a keyset cursor, highlights HTML-escaped.
@Suite(.chatAPI())
struct MessageSearchTests {
    @Test("finds whole words and prefixes, ignoring case and accents; every word must match; newest first")
    func matching() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let member = try await api.user()
        let chat = try await api.directChat(admin, member)
        let cafe = try await api.sent(admin, chat, "Meet me at the Café Crème tomorrow")
        let plain = try await api.sent(member, chat, "the cafe is closed, cafeteria then")
        let other = try await api.sent(member, chat, "nothing to see here")

        #expect(try await api.found(member, "cafe") == [plain.id, cafe.id])
        #expect(try await api.found(member, "CAFÉ") == [plain.id, cafe.id])
        #expect(try await api.found(member, "caf") == [plain.id, cafe.id], "a prefix matches")
        #expect(try await api.found(member, "cafet") == [plain.id])
        #expect(try await api.found(member, "creme cafe") == [cafe.id], "every word must match")
        #expect(try await api.found(member, "creme zebra") == [])
        #expect(try await api.found(admin, "see") == [other.id])
        #expect(try await api.found(member, "afe") == [], "inside a word is not a prefix")

        let page = try await api.searchMessages(member, "q=cafe")
        try expectStatus(page, 200)
        let first = try #require(try page.items().first)
        #expect((first["message"] as? [String: Any])?["body"] as? String == plain.body)
        let conversation = try #require(first["conversation"] as? [String: Any])
        #expect(conversation["id"] as? String == chat && conversation["kind"] as? String == "direct" && conversation["title"] as? String == admin.name)
        #expect(first["highlight"] as? String == "the <mark>cafe</mark> is closed, <mark>cafeteria</mark> then")
        #expect(try page.object()["next_cursor"] is NSNull)
    }

    @Test("highlight: each matching word wrapped whole in <mark>, everything else HTML-escaped")
    func highlightEscapes() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let member = try await api.user()
        let chat = try await api.directChat(admin, member)
        try await api.sent(admin, chat, #"<script>alert("Élodie & co's")</script> élodie"#)
        let response = try await api.searchMessages(member, "q=elo")
        let highlight = try #require(try response.items().first?["highlight"] as? String)
        #expect(highlight == "&lt;script&gt;alert(&quot;<mark>Élodie</mark> &amp; co&#39;s&quot;)&lt;/script&gt; <mark>élodie</mark>")
    }

    @Test("never a message of a circle the caller left (right after removal), never a deleted one; an edit's new text is found, the old not")
    func visibilityDeletionAndEdits() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let member = try await api.user()
        let stays = try await api.user()
        let chat = try await api.circleChat(admin, members: [member, stays])
        let secret = try await api.sent(admin, chat.conversation, "quarterly numbers attached")
        #expect(try await api.found(member, "quarterly") == [secret.id])
        try expectStatus(try await api.service("DELETE", "/v1/circles/\(chat.circle)/members/\(member.id)"), 204)
        #expect(try await api.found(member, "quarterly") == [], "gone at once")
        #expect(try await api.found(stays, "quarterly") == [secret.id])
        let outsider = try await api.user()
        #expect(try await api.found(outsider, "quarterly") == [])

        let typo = try await api.sent(stays, chat.conversation, "the raport is ready")
        try expectStatus(try await api.edit(stays, chat.conversation, typo.id, "the report is ready"), 200)
        #expect(try await api.found(stays, "report") == [typo.id])
        #expect(try await api.found(stays, "raport") == [])
        try expectStatus(try await api.delete(stays, chat.conversation, typo.id), 204)
        #expect(try await api.found(stays, "report") == [])
        #expect(try await api.found(admin, "ready") == [], "not even for an admin")
        #expect(try await api.database.scalar("SELECT search_vector IS NULL FROM chat.messages WHERE id = \(typo.id)") == "t")
        // System messages are not found ("... was removed from this chat").
        #expect(try await api.found(admin, "removed") == [])
    }

    @Test("a caller who sees more than 5,000 messages is searched through the GIN index, by the same rules")
    func manyVisibleMessages() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let member = try await api.user()
        let busy = try await api.circleChat(admin, members: [member])
        let left = try await api.circleChat(admin, members: [member])
        // 5,001 messages the member may read: past MessageSearchStore.scanVisibleLimit.
        try await api.database.execute("""
            INSERT INTO chat.messages (conversation_id, sender_id, body)
            SELECT \(UUID(uuidString: busy.conversation)!), \(admin.id), 'filler line ' || n FROM generate_series(1, 5001) AS n
            """)
        let hit = try await api.sent(admin, busy.conversation, "Zéphyrine's zephyr report")
        let gone = try await api.sent(admin, busy.conversation, "zephyr draft")
        try expectStatus(try await api.delete(admin, busy.conversation, gone.id), 204)
        let hidden = try await api.sent(admin, left.conversation, "zephyr elsewhere")
        try expectStatus(try await api.service("DELETE", "/v1/circles/\(left.circle)/members/\(member.id)"), 204)

        #expect(try await api.found(member, "ZEPH") == [hit.id], "prefix, case, accents; not deleted, not left")
        #expect(try await api.found(member, "zephyrine report") == [hit.id])
        #expect(try await api.found(member, "zephyr zzz") == [])
        #expect(try await api.found(admin, "zephyr") == [hidden.id, hit.id])
        let page = try await api.searchMessages(member, "q=filler&limit=3")
        #expect(try page.items().count == 3)
        #expect(try page.object()["next_cursor"] is String)
    }

    @Test("conversation_id narrows; limit and the keyset cursor page through without repeats; bad parameters are 400")
    func pagingAndRefusals() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let member = try await api.user()
        let direct = try await api.directChat(admin, member)
        let chat = try await api.circleChat(admin, members: [member])
        var ids: [Int64] = []
        for index in 1...5 { ids.append(try await api.sent(admin, direct, "report number \(index)").id) }
        let elsewhere = try await api.sent(admin, chat.conversation, "report elsewhere")

        let narrowed = try await api.searchMessages(member, "q=report&conversation_id=\(chat.conversation)")
        #expect(try narrowed.items().count == 1)
        var seen: [Int64] = []
        var cursor: String?
        repeat {
            let response = try await api.searchMessages(member, "q=report&limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
            try expectStatus(response, 200)
            seen += try response.items().compactMap { (($0["message"] as? [String: Any])?["id"] as? NSNumber)?.int64Value }
            cursor = try response.object()["next_cursor"] as? String
        } while cursor != nil
        #expect(seen == [elsewhere.id] + ids.reversed())

        let long = String(repeating: "a", count: 201)
        for query in ["", "q=", "q=%20%20", "q=\(long)", "q=a&q=b", "q=a&limit=0", "q=a&limit=51", "q=a&cursor=abc",
                      "q=a&cursor=-1", "q=a&conversation_id=nope", "q=%21%3F", "q=ada%09", "q=%C2%85ada",
                      "q=\(String(repeating: "a", count: 199))%CC%81%CC%81"] {
            expectError(try await api.searchMessages(member, query), 400, "bad_request")
        }
        try expectStatus(try await api.searchMessages(member, "q=\(String(repeating: "a", count: 200))"), 200)
        try expectStatus(try await api.searchMessages(member, "q=\(String(repeating: "a", count: 199))%CC%81"), 200)
    }
}
