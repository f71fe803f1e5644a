import Foundation
import Testing
import TestSupport

/// Edits, deletions and reactions on the stream (API.md, "Messages: edit, delete, ...",
/// "Stream events"): `message.updated`, `message.deleted`, `reaction.added` and
/// `reaction.removed` reach exactly who sees the conversation, in order with the messages,
/// and again on resume; a DBA's plain SQL streams the same way.
@Suite("Gateway: edits, deletions and reactions", .serialized)
struct GatewayMessageDepthTests {
    static let serviceKey = "gateway-depth-service-key"

    /// chat-api on the world's database, and a way to call it as a user.
    struct API {
        let service: ServiceProcess

        static func start(_ world: ChatWorld) async throws -> API {
            API(service: try await ServiceProcess.start("chat-api", portVariable: "API_PORT", environment: [
                "DATABASE_URL": world.url, "CHAT_SERVICE_KEY": GatewayMessageDepthTests.serviceKey, "CHAT_ATTACHMENT_SECRET": "attachment-secret-for-tests-0123456789", "SEND_RATE_PER_SECOND": "0",
            ]))
        }

        func call(_ method: String, _ path: String, token: String, json: String? = nil) async throws -> HTTPTestResponse {
            var headers = [("Authorization", "Bearer \(token)")]
            if json != nil { headers.append(("Content-Type", "application/json")) }
            return try await HTTPTestClient.request(port: service.port, method, path, headers: headers, body: Array((json ?? "").utf8))
        }

        func object(_ response: HTTPTestResponse) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any], "\(response.text)")
        }
    }

    /// The message object without `me` in its reactions: the stream's form of an API answer.
    static func streamForm(_ message: [String: Any]) -> [String: Any] {
        var copy = message
        copy["reactions"] = (message["reactions"] as? [[String: Any]])?.map { $0.filter { $0.key != "me" } }
        return copy
    }

    static func canonical(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test("a direct chat: both participants see the 201's message, the reaction, the edit and the deletion live, and again after Last-Event-ID")
    func directChatLiveAndResumed() async throws {
        try await withGateway { world, gateway in
            let api = try await API.start(world)
            try await world.user("admin", admin: true)
            try await world.user("ada")
            try await world.user("bob")
            let chat = try await world.directChat("admin", "ada")
            let adminToken = try await world.token("admin"), adaToken = try await world.token("ada")
            let streams = [try await gateway.openStream(world, token: adminToken), try await gateway.openStream(world, token: adaToken)]
            let outsider = try await gateway.openStream(world, token: try await world.token("bob"))

            let sent = try await api.call("POST", "/v1/conversations/\(chat)/messages", token: adminToken, json: #"{"body": "helo"}"#)
            #expect(sent.status == 201)
            let created = try api.object(sent)
            let id = try #require(created["id"] as? Int)
            let path = "/v1/conversations/\(chat)/messages/\(id)"
            #expect(try await api.call("PUT", "\(path)/reactions/%F0%9F%91%8D", token: adaToken).status == 204)
            let edited = try await api.call("PATCH", path, token: adminToken, json: #"{"body": "hello"}"#)
            #expect(edited.status == 200)
            #expect(try await api.call("DELETE", path, token: adminToken).status == 204)

            var positions: [String] = []
            for stream in streams {
                let events = try await stream.next(4)
                #expect(events.map(\.event) == ["message.created", "reaction.added", "message.updated", "message.deleted"])
                #expect(try Self.canonical(try #require(events[0].json["message"])) == Self.canonical(created), "the 201 and the stream agree")
                #expect(try Self.canonical(events[1].json) == Self.canonical([
                    "conversation_id": chat, "message_id": id, "emoji": "👍", "user_id": "ada", "count": 1] as [String: Any]))
                let update = try #require(events[2].json["message"] as? [String: Any])
                #expect(try Self.canonical(update) == Self.canonical(Self.streamForm(try api.object(edited))), "PATCH's answer, without me")
                #expect(try Self.canonical(events[3].json) == Self.canonical(["conversation_id": chat, "message_id": id, "seq": 1] as [String: Any]))
                positions.append(try #require(events[0].id))
            }
            try await outsider.expectNothing()

            // Resuming from just before the message replays the same four, in order.
            for (token, position) in zip([adminToken, adaToken], positions) {
                let resumed = try await gateway.openStream(world, token: token, headers: [("Last-Event-ID", String(Int64(position)! - 1))])
                #expect(try await resumed.next(4).map(\.event) == ["message.created", "reaction.added", "message.updated", "message.deleted"])
            }
            await api.service.stop()
        }
    }

    @Test("a circle chat: every member and an admin see edits, deletions and reactions; a removed member does not, live or on resume")
    func circleChatAudience() async throws {
        try await withGateway { world, gateway in
            let api = try await API.start(world)
            try await world.user("boss", admin: true)
            for user in ["ada", "bob", "eve"] { try await world.user(user) }
            let chat = try #require(try await world.circle("c1", members: ["ada", "bob", "eve"]))
            try await world.removeMember("eve", from: "c1")
            let tokens = ["boss": try await world.token("boss"), "ada": try await world.token("ada"), "bob": try await world.token("bob"),
                          "eve": try await world.token("eve")]
            let before = try await world.latestPosition()
            let watchers = [try await gateway.openStream(world, token: tokens["boss"]!), try await gateway.openStream(world, token: tokens["ada"]!),
                            try await gateway.openStream(world, token: tokens["bob"]!)]
            let eve = try await gateway.openStream(world, token: tokens["eve"]!)

            let sent = try api.object(try await api.call("POST", "/v1/conversations/\(chat)/messages", token: tokens["ada"]!, json: #"{"body": "hi all"}"#))
            let path = "/v1/conversations/\(chat)/messages/\(try #require(sent["id"] as? Int))"
            #expect(try await api.call("PUT", "\(path)/reactions/:tada:", token: tokens["bob"]!).status == 204)
            #expect(try await api.call("DELETE", "\(path)/reactions/:tada:", token: tokens["bob"]!).status == 204)
            #expect(try await api.call("PATCH", path, token: tokens["ada"]!, json: #"{"body": "hi everyone"}"#).status == 200)
            #expect(try await api.call("DELETE", path, token: tokens["boss"]!).status == 204)
            let expected = ["message.created", "reaction.added", "reaction.removed", "message.updated", "message.deleted"]
            for stream in watchers {
                #expect(try await stream.next(5).map(\.event) == expected)
            }
            try await eve.expectNothing()
            let resumed = try await gateway.openStream(world, token: tokens["eve"]!, headers: [("Last-Event-ID", String(before))])
            try await resumed.expectNothing()
            let bobResumed = try await gateway.openStream(world, token: tokens["bob"]!, headers: [("Last-Event-ID", String(before))])
            #expect(try await bobResumed.next(5).map(\.event) == expected)
            await api.service.stop()
        }
    }

    @Test("a DBA's plain SQL edit streams message.updated with edited_at, and a plain DELETE streams message.deleted")
    func sqlEditsStream() async throws {
        try await withGateway { world, gateway in
            try await world.user("admin", admin: true)
            try await world.user("ada")
            let chat = try await world.directChat("admin", "ada")
            let seq = try await world.message(chat, from: "ada", "typo")
            let stream = try await gateway.openStream(world, token: try await world.token("admin"))
            try await world.execute("UPDATE chat.messages SET body = 'fixed by a DBA' WHERE conversation_id = \(chat)::uuid AND seq = \(seq)")
            let update = try await stream.next()
            #expect(update.event == "message.updated")
            let message = try #require(update.json["message"] as? [String: Any])
            #expect(message["body"] as? String == "fixed by a DBA" && message["edited_at"] is String && message["seq"] as? Int == Int(seq))
            try await world.execute("DELETE FROM chat.messages WHERE conversation_id = \(chat)::uuid AND seq = \(seq)")
            let deletion = try await stream.next()
            #expect(deletion.event == "message.deleted" && deletion.json["seq"] as? Int == Int(seq))
            let rows = try await world.pool.withConnection { conn in
                try conn.query("SELECT body, deleted_at IS NOT NULL AS deleted FROM chat.messages WHERE conversation_id = \(chat)::uuid")
            }
            #expect(rows.count == 1)
            #expect(try rows[0].decode("body", as: String.self) == "" && rows[0].decode("deleted", as: Bool.self))
        }
    }
}
