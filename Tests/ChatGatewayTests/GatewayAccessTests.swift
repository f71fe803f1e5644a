import Foundation
import Testing
import TestSupport

@Suite("Gateway access: clean refusals before a stream starts, and streams cut off when access ends", .serialized)
struct GatewayAccessTests {
    @Test("missing, malformed, unknown, revoked and expired tokens get 401 unauthorized")
    func badTokens() async throws {
        try await withGateway { world, gateway in
            try await world.user("ada")
            let revoked = try await world.token("ada")
            _ = try await world.sessions.revoke(token: revoked)
            let expired = try await world.token("ada")
            try await world.execute("UPDATE chat.sessions SET created_at = now() - interval '2 days', expires_at = now() - interval '1 second' WHERE revoked_at IS NULL")
            let paths = ["/v1/stream", "/v1/stream?access_token=short", "/v1/stream?access_token=\(String(repeating: "A", count: 43))",
                         "/v1/stream?access_token=\(revoked)", "/v1/stream?access_token=\(expired)"]
            for path in paths {
                let response = try await TestStream.refusal(port: gateway.port, path: path)
                #expect(response.status == 401, "\(path)")
                #expect(response.errorCode == "unauthorized")
            }
            let wrongScheme = try await TestStream.refusal(port: gateway.port, path: "/v1/stream", headers: [("Authorization", "Basic abc")])
            #expect(wrongScheme.status == 401)
        }
    }

    @Test("bad Last-Event-ID values and malformed conversation ids get 400; a conversation one may not see gets 404")
    func badParameters() async throws {
        try await withGateway { world, gateway in
            try await world.user("admin", admin: true)
            try await world.user("ada")
            try await world.user("bob")
            let hidden = try await world.directChat("admin", "bob")
            let token = try await world.token("ada")
            for value in ["abc", "-1", "1e3", "18446744073709551616"] {
                let header = try await TestStream.refusal(port: gateway.port, path: "/v1/stream?access_token=\(token)", headers: [("Last-Event-ID", value)])
                #expect(header.status == 400, "Last-Event-ID \(value)")
                #expect(header.errorCode == "bad_request")
                let parameter = try await TestStream.refusal(port: gateway.port, path: "/v1/stream?access_token=\(token)&last_event_id=\(value)")
                #expect(parameter.status == 400, "last_event_id \(value)")
            }
            let malformed = try await TestStream.refusal(port: gateway.port, path: "/v1/stream?access_token=\(token)&conversation_id=42")
            #expect(malformed.status == 400)
            let unseen = try await TestStream.refusal(port: gateway.port, path: "/v1/stream?access_token=\(token)&conversation_id=\(hidden)")
            #expect(unseen.status == 404)
            #expect(unseen.errorCode == "not_found")
            let unknown = try await TestStream.refusal(port: gateway.port, path: "/v1/stream?access_token=\(token)&conversation_id=\(UUID().uuidString)")
            #expect(unknown.status == 404)
        }
    }

    @Test("past MAX_STREAMS_PER_USER a new stream gets 429 rate_limited with Retry-After")
    func streamCap() async throws {
        try await withGateway(environment: ["MAX_STREAMS_PER_USER": "2"]) { world, gateway in
            try await world.user("ada")
            let token = try await world.token("ada")
            let first = try await gateway.openStream(world, token: token)
            let second = try await gateway.openStream(world, token: token)
            let third = try await TestStream.refusal(port: gateway.port, path: "/v1/stream?access_token=\(token)")
            #expect(third.status == 429)
            #expect(third.errorCode == "rate_limited")
            #expect(third.header("Retry-After") != nil)
            _ = (first, second)
        }
    }

    @Test("a session revoked while its stream is open is cut off within seconds, and cannot reconnect")
    func revokedSessionCutOff() async throws {
        try await withGateway { world, gateway in
            try await world.user("ada")
            let token = try await world.token("ada")
            let other = try await world.token("ada")
            let stream = try await gateway.openStream(world, token: token)
            let otherTab = try await gateway.openStream(world, token: other)

            let revokedAt = ContinuousClock.now
            _ = try await world.sessions.revoke(token: token)

            #expect(try await stream.closes(within: .seconds(3)))
            #expect(ContinuousClock.now - revokedAt < .seconds(3))
            let again = try await TestStream.refusal(port: gateway.port, path: "/v1/stream?access_token=\(token)")
            #expect(again.status == 401)
            try await otherTab.expectNothing(for: .milliseconds(200))
            #expect(try await otherTab.closes(within: .milliseconds(300)) == false, "another session's stream stays open")
        }
    }

    @Test("a session revoked while none of its streams is open cannot open one, even inside the lookup cache time")
    func revokedWhileNotStreaming() async throws {
        try await withGateway { world, gateway in
            try await world.user("ada")
            let token = try await world.token("ada")
            do { _ = try await gateway.openStream(world, token: token) }  // looked up and cached, then closed
            _ = try await world.sessions.revoke(token: token)
            let revokedAt = try await world.latestPosition()
            #expect(await eventually { (try? await gateway.tailPosition()) ?? 0 >= revokedAt }, "the gateway routed the revocation")
            let again = try await TestStream.refusal(port: gateway.port, path: "/v1/stream?access_token=\(token)")
            #expect(again.status == 401)
        }
    }

    @Test("a user deactivated while streaming has every stream closed")
    func deactivatedUserCutOff() async throws {
        try await withGateway { world, gateway in
            try await world.user("ada")
            let stream = try await gateway.openStream(world, token: try await world.token("ada"))
            try await world.execute("UPDATE chat.users SET active = false WHERE id = 'ada'")
            #expect(try await stream.closes(within: .seconds(3)))
        }
    }

    @Test("CORS: an allowed origin gets Access-Control-Allow-Origin on the stream")
    func cors() async throws {
        try await withGateway(environment: ["CHAT_CORS_ORIGINS": "http://backoffice.test:3000"]) { world, gateway in
            try await world.user("ada")
            let token = try await world.token("ada")
            let client = try HTTPTestClient(port: gateway.port)
            let head = try await client.openEventStream("/v1/stream?access_token=\(token)", headers: [("Origin", "http://backoffice.test:3000")])
            #expect(head.status == 200)
            #expect(head.header("Access-Control-Allow-Origin") == "http://backoffice.test:3000")
        }
    }
}
