import Foundation
import Postgres
import Testing
import TestSupport

/// Typing, receipts, mute and mark unread on the stream (docs/stream.md,
/// "Attention events"), through chat-api and chat-gateway as real processes.
@Suite("Gateway: typing, receipts, mute, mark unread", .serialized)
struct GatewayAttentionTests {
    typealias API = GatewayMessageDepthTests.API

    /// Rows of every table of the chat schema, as one number per table.
    static func tableRows(_ world: ChatWorld) async throws -> [String: Int64] {
        try await world.pool.withConnection { conn in
            let tables = try conn.query("""
                SELECT format('%I.%I', schemaname, relname) AS name FROM pg_stat_user_tables WHERE schemaname = 'chat' ORDER BY 1
                """).map { try $0.decode("name", as: String.self) }
            var counts: [String: Int64] = [:]
            for table in tables {
                counts[table] = try conn.query("SELECT count(*) AS n FROM \(unsafeSQL: table)")[0].decode("n", as: Int64.self)
            }
            return counts
        }
    }

    @Test("typing reaches everyone else who sees the chat (an admin too), not the typist nor an outsider; no id, coalesced, never replayed, no row anywhere")
    func typing() async throws {
        try await withGateway { world, gateway in
            let api = try await API.start(world)
            try await world.user("boss", admin: true)
            for user in ["ada", "bob", "eve"] { try await world.user(user) }
            let chat = try #require(try await world.circle("c1", members: ["ada", "bob"]))
            let tokens = ["boss": try await world.token("boss"), "ada": try await world.token("ada"), "bob": try await world.token("bob"),
                          "eve": try await world.token("eve")]
            let boss = try await gateway.openStream(world, token: tokens["boss"]!)
            let bob = try await gateway.openStream(world, token: tokens["bob"]!)
            let adaOtherTab = try await gateway.openStream(world, token: tokens["ada"]!)
            let eve = try await gateway.openStream(world, token: tokens["eve"]!)
            let before = try await Self.tableRows(world)
            let position = try await world.latestPosition()

            #expect(try await api.call("POST", "/v1/conversations/\(chat)/typing", token: tokens["ada"]!).status == 204)
            #expect(try await api.call("POST", "/v1/conversations/\(chat)/typing", token: tokens["ada"]!).status == 204)  // coalesced
            for stream in [boss, bob] {
                let event = try await stream.next()
                #expect(event.event == "typing" && event.id == nil)
                #expect(event.json["conversation_id"] as? String == chat)
                #expect(event.json["user"] as? [String: String] == ["id": "ada", "name": "Name ada"])
                try await stream.expectNothing(for: .milliseconds(500))  // the second call was coalesced
            }
            try await adaOtherTab.expectNothing(for: .milliseconds(200))
            try await eve.expectNothing(for: .milliseconds(200))

            #expect(try await Self.tableRows(world) == before, "no row in any table")
            #expect(try await world.latestPosition() == position)
            // A message right after: its id continues from the position before the typing.
            let seq = try await world.message(chat, from: "bob", "hi")
            let message = try await bob.next()
            #expect(message.event == "message.created" && message.messageSeq == seq && message.position == position + 1)
            let resumed = try await gateway.openStream(world, token: tokens["boss"]!, headers: [("Last-Event-ID", String(position))])
            #expect(try await resumed.next().event == "message.created", "the typing event is not replayed")
            await api.service.stop()
        }
    }

    @Test("a member of an admins_only chat may not type (403): nobody gets typing")
    func typingRefused() async throws {
        try await withGateway { world, gateway in
            let api = try await API.start(world)
            try await world.user("boss", admin: true)
            try await world.user("ada")
            let chat = try #require(try await world.circle("c1", members: ["ada"]))
            try await world.execute("UPDATE chat.conversations SET send_policy = 'admins_only' WHERE id = \(chat)::uuid")
            let boss = try await gateway.openStream(world, token: try await world.token("boss"))
            let response = try await api.call("POST", "/v1/conversations/\(chat)/typing", token: try await world.token("ada"))
            #expect(response.status == 403 && response.text.contains("send_forbidden"))
            try await boss.expectNothing()
            await api.service.stop()
        }
    }

    @Test("receipts: a direct chat's reader moves their marker (read or mark unread), the other participant alone gets receipt.updated; circle chats send none")
    func receipts() async throws {
        try await withGateway { world, gateway in
            let api = try await API.start(world)
            try await world.user("boss", admin: true)
            try await world.user("ada")
            let direct = try await world.directChat("boss", "ada")
            let circle = try #require(try await world.circle("c1", members: ["ada"]))
            for _ in 1...3 { _ = try await world.message(direct, from: "boss", "hello") }
            _ = try await world.message(circle, from: "boss", "all")
            let bossToken = try await world.token("boss"), adaToken = try await world.token("ada")
            let boss = try await gateway.openStream(world, token: bossToken)
            let ada = try await gateway.openStream(world, token: adaToken)

            #expect(try await api.call("POST", "/v1/conversations/\(direct)/read", token: adaToken, json: #"{"seq": 3}"#).status == 200)
            let receipt = try await boss.next()
            #expect(receipt.event == "receipt.updated" && receipt.position != nil)
            #expect(try GatewayMessageDepthTests.canonical(receipt.json)
                    == GatewayMessageDepthTests.canonical(["conversation_id": direct, "user_id": "ada", "last_read_seq": 3] as [String: Any]))
            let own = try await ada.next()
            #expect(own.event == "read.updated" && own.json["last_read_seq"] as? Int == 3)
            try await ada.expectNothing(for: .milliseconds(300))

            #expect(try await api.call("POST", "/v1/conversations/\(direct)/unread", token: adaToken, json: #"{"seq": 2}"#).status == 200)
            let back = try await boss.next()
            #expect(back.event == "receipt.updated" && back.json["last_read_seq"] as? Int == 1)
            #expect(try await ada.next().event == "read.updated")
            // The same read again moves nothing: no event.
            #expect(try await api.call("POST", "/v1/conversations/\(direct)/unread", token: adaToken, json: #"{"seq": 2}"#).status == 200)
            #expect(try await api.call("POST", "/v1/conversations/\(circle)/read", token: adaToken, json: #"{"seq": 2}"#).status == 200)
            #expect(try await ada.next().event == "read.updated")
            try await boss.expectNothing()
            await api.service.stop()
        }
    }

    @Test("mute.updated goes to the muting user's tabs alone, with an id, and is replayed on resume")
    func muteUpdated() async throws {
        try await withGateway { world, gateway in
            let api = try await API.start(world)
            try await world.user("boss", admin: true)
            try await world.user("ada")
            let chat = try #require(try await world.circle("c1", members: ["ada"]))
            let adaToken = try await world.token("ada")
            let tabs = [try await gateway.openStream(world, token: adaToken), try await gateway.openStream(world, token: adaToken)]
            let boss = try await gateway.openStream(world, token: try await world.token("boss"))
            let position = try await world.latestPosition()
            #expect(try await api.call("PUT", "/v1/conversations/\(chat)/mute", token: adaToken, json: #"{"muted": true}"#).status == 200)
            for tab in tabs {
                let event = try await tab.next()
                #expect(event.event == "mute.updated" && event.position == position + 1)
                #expect(event.json["conversation_id"] as? String == chat && event.json["muted"] as? Bool == true)
            }
            try await boss.expectNothing()
            let resumed = try await gateway.openStream(world, token: adaToken, headers: [("Last-Event-ID", String(position))])
            #expect(try await resumed.next().event == "mute.updated")
            await api.service.stop()
        }
    }
}
