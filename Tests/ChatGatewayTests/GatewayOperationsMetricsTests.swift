import Foundation
import Testing
import TestSupport

/// The gauges the alert rules read (deploy/prometheus/chat-alerts.yml): the listener's state,
/// the retention and the age of the oldest kept event, and the process's descriptors.
@Suite("Gateway metrics for the alerts")
struct GatewayOperationsMetricsTests {
    /// The value of an unlabelled series in the gateway's `/metrics`.
    static func gauge(_ name: String, of gateway: GatewayProcess) async throws -> Double? {
        let metrics = try await HTTPTestClient.request(port: gateway.port, "GET", "/metrics")
        for line in metrics.text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.split(separator: " ")[1])
        }
        return nil
    }

    @Test("the oldest event's age and the retention are exposed, so an alert sees pruning that stopped")
    func oldestEventAgeAndRetention() async throws {
        try await withWorld { world in
            try await world.user("ada")
            let chat = try #require(try await world.circle("c1", members: ["ada"]))
            try await world.messages(chat, from: "ada", count: 2)
            try await world.execute("UPDATE chat.events SET committed_at = committed_at - interval '30 hours'")
            let gateway = try await GatewayProcess.start(databaseURL: world.url, environment: ["EVENT_RETENTION_HOURS": "2"])
            #expect(try await Self.gauge("chat_gateway_event_retention_seconds", of: gateway) == 7200)
            let age = try #require(try await Self.gauge("chat_gateway_event_log_oldest_age_seconds", of: gateway))
            #expect(age > 30 * 3600 && age < 31 * 3600, "oldest event age \(age) s")
            #expect(try await Self.gauge("process_open_fds", of: gateway).map { $0 > 5 } == true)
            #expect(try await Self.gauge("process_max_fds", of: gateway).map { $0 >= 64 } == true)
            await gateway.stop()
        }
    }

    @Test("chat_gateway_listener_connected follows the LISTEN connection across a PostgreSQL restart")
    func listenerConnectedGauge() async throws {
        let cluster = try await offPool { try PostgresCluster.start() }
        defer { cluster.destroy() }
        try await offPool { try TestDatabase.migrate(url: cluster.url) }
        let gateway = try await GatewayProcess.start(databaseURL: cluster.url)
        #expect(try await Self.gauge("chat_gateway_listener_connected", of: gateway) == 1)
        try await offPool { try cluster.stop() }
        #expect(try await eventually(every: .milliseconds(100)) { try await Self.gauge("chat_gateway_listener_connected", of: gateway) == 0 })
        try await offPool { try cluster.start() }
        #expect(try await eventually(every: .milliseconds(100)) { try await Self.gauge("chat_gateway_listener_connected", of: gateway) == 1 })
        await gateway.stop()
    }
}
