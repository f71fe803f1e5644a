import Foundation
import Models
import Testing
import TestSupport

/// One message has three builders: the send's answer (Swift, `BatchWriter` -> `Message`), the
/// history page and the replay (SQL, `chat.message_json_of`, decoded into `Message`) and the
/// stream's copy (SQL, `chat.messages_after_insert` writes it into the `message.created` payload
/// with `chat.message_object`, and the gateway passes it through). All three must be the same
/// JSON object, field for field, for every kind of message.
@Suite(.chatAPI())
struct MessageJSONConsistencyTests {
    @Test("the 201 answer, the 200 replay, the history item and the stream's payload are the same object for every kind of message")
    func threeBuildersAgree() async throws {
        let api = try harness()
        let admin = try await api.user(.admin, name: "Zoë \"Admin\" \\ O'Neil")
        let user = try await api.user(name: "Al")
        try await api.database.execute("UPDATE chat.users SET avatar_url = 'https://example.com/a.png?x=1&y=\"2\"' WHERE id = \(admin.id)")
        let direct = try await api.directChat(admin, user)
        let circle = try await api.circleChat(admin, members: [user], policy: .adminsOnly).conversation

        // (sender, conversation, body, client_id, mentions): without and with a client_id, with and
        // without an avatar, in a direct and a circle chat, bodies that need escaping, mentions.
        let sends: [(TestUser, String, String, String?, [String])] = [
            (user, direct, "plain", nil, []),
            (user, direct, "with a client id", "client-1", []),
            (admin, direct, "quotes \" and \\ backslash, tab\tand\nnew line", nil, []),
            (admin, circle, "emoji 👋🏽, accents é, CJK 漢字, RTL שלום", "c-2", []),
            (admin, circle, String(repeating: "long ", count: 799) + "end", nil, []),
            (user, direct, "@Zoë and me", "c-3", [admin.id, user.id]),
        ]
        for (sender, conversation, body, clientID, mentions) in sends {
            let created = try await api.send(sender, conversation, body, clientID: clientID, mentions: mentions)
            try expectStatus(created, 201)
            let answer = try created.object()
            let id = try #require(answer["id"] as? Int)

            let stream = try #require(try await api.database.scalar("""
                SELECT payload->'message' FROM chat.events
                 WHERE type = 'message.created' AND (payload->'message'->>'id')::bigint = \(id)
                """))
            expectSameObject(answer, try object(stream), "stream vs 201: \(body.prefix(20))")

            let page = try await api.call("GET", "/v1/conversations/\(conversation)/messages?limit=1", token: sender.token)
            try expectStatus(page, 200)
            expectSameObject(answer, try #require(try page.items().first), "history vs 201: \(body.prefix(20))")

            if let clientID {
                let replay = try await api.send(sender, conversation, body, clientID: clientID, mentions: mentions)
                try expectStatus(replay, 200)
                expectSameObject(answer, try replay.object(), "replay vs 201: \(body.prefix(20))")
            }
        }
    }

    private func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Same keys at every level and equal values (JSON numbers, strings, nulls, objects).
    private func expectSameObject(_ a: [String: Any], _ b: [String: Any], _ what: String,
                                  sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(Set(a.keys) == Set(b.keys), "\(what): keys \(a.keys.sorted()) vs \(b.keys.sorted())", sourceLocation: sourceLocation)
        // Compared as JSON text with sorted keys: Foundation on Linux does not find nested empty
        // arrays of two JSONSerialization results equal through NSDictionary.isEqual.
        #expect((try? canonical(a)) == (try? canonical(b)), "\(what): \(a) vs \(b)", sourceLocation: sourceLocation)
    }
}
