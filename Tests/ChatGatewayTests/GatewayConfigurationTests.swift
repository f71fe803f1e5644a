import HTTP
import Testing
@testable import ChatGateway

@Suite("Gateway configuration from the environment")
struct GatewayConfigurationTests {
    @Test("defaults apply when only DATABASE_URL is set")
    func defaults() throws {
        let configuration = try GatewayConfiguration(environment: ["DATABASE_URL": "postgres://x@127.0.0.1/db"])
        #expect(configuration.port == 8081)
        #expect(configuration.bindHost == "127.0.0.1")
        #expect(configuration.heartbeatInterval == .seconds(15))
        #expect(configuration.maxBufferBytes == 1 << 20)
        #expect(configuration.maxStreamsPerUser == 10)
        #expect(configuration.eventRetention == .seconds(24 * 3600))
        #expect(configuration.safetyInterval == .milliseconds(1000))
        #expect(configuration.poolSize == 4)
    }

    @Test("a missing or invalid setting names the variable", arguments: [
        ([:], "DATABASE_URL"),
        (["SSE_HEARTBEAT_SECONDS": "0"], "SSE_HEARTBEAT_SECONDS"),
        (["SSE_MAX_BUFFER_BYTES": "lots"], "SSE_MAX_BUFFER_BYTES"),
        (["MAX_STREAMS_PER_USER": "0"], "MAX_STREAMS_PER_USER"),
        (["EVENT_RETENTION_HOURS": "-1"], "EVENT_RETENTION_HOURS"),
        (["TAIL_SAFETY_INTERVAL_MS": "5"], "TAIL_SAFETY_INTERVAL_MS"),
        (["GATEWAY_PORT": "70000"], "GATEWAY_PORT"),
        (["CHAT_CORS_ORIGINS": "backoffice"], "CHAT_CORS_ORIGINS"),
        (["DATABASE_URL": "chat-db:5432"], "DATABASE_URL"),
    ] as [([String: String], String)])
    func invalid(_ overrides: [String: String], _ name: String) {
        var values = ["DATABASE_URL": "postgres://x@127.0.0.1/db"]
        if overrides.isEmpty { values = [:] }
        values.merge(overrides) { _, new in new }
        let error = try? #require(throws: EnvironmentSettingError.self) { try GatewayConfiguration(environment: values) }
        #expect(error?.name == name)
    }
}
