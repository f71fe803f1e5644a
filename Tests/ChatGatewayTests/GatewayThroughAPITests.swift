import Foundation
import Testing
import TestSupport

@Suite("Gateway with chat-api: messages sent through the write API reach the streams", .serialized)
struct GatewayThroughAPITests {
    @Test("both participants of a direct chat receive a message sent through chat-api; a non-participant receives nothing")
    func directMessageThroughAPI() async throws {
        try await withGateway { world, gateway in
            let api = try await ServiceProcess.start("chat-api", portVariable: "API_PORT", environment: [
                "DATABASE_URL": world.url, "CHAT_SERVICE_KEY": "gateway-tests-service-key", "CHAT_ATTACHMENT_SECRET": "attachment-secret-for-tests-0123456789",
            ])
            try await world.user("admin", admin: true)
            try await world.user("ada")
            try await world.user("bob")
            let chat = try await world.directChat("admin", "ada")
            let adminToken = try await world.token("admin")
            let admin = try await gateway.openStream(world, token: adminToken)
            let ada = try await gateway.openStream(world, token: try await world.token("ada"))
            let bob = try await gateway.openStream(world, token: try await world.token("bob"))

            let body = Array(#"{"body": "hello through the API", "client_id": "t-1"}"#.utf8)
            let sent = try await HTTPTestClient.request(
                port: api.port, "POST", "/v1/conversations/\(chat)/messages",
                headers: [("Authorization", "Bearer \(adminToken)"), ("Content-Type", "application/json")], body: body)
            #expect(sent.status == 201)

            for stream in [admin, ada] {
                let event = try await stream.next()
                #expect(event.event == "message.created")
                let message = event.json["message"] as? [String: Any]
                #expect(message?["body"] as? String == "hello through the API")
                #expect(message?["client_id"] as? String == "t-1")
                #expect(event.messageSeq == 1)
            }
            try await bob.expectNothing()
            await api.stop()
        }
    }
}
