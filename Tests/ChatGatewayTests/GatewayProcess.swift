import Foundation
import TestSupport

/// A real `chat-gateway` process (`ServiceProcess`) on a free loopback port, started with the
/// environment given and ready once `/readyz` answers 200 (database reachable, LISTEN up, tail
/// position known), so a test's first stream is never refused with 503.
struct GatewayProcess: Sendable {
    let service: ServiceProcess

    var port: Int { service.port }
    var output: String { service.output }

    static func start(databaseURL: String, environment extra: [String: String] = [:]) async throws -> GatewayProcess {
        var environment = ["DATABASE_URL": databaseURL, "TAIL_SAFETY_INTERVAL_MS": "200"]
        environment.merge(extra) { _, new in new }
        let gateway = GatewayProcess(service: try await ServiceProcess.start("chat-gateway", portVariable: "GATEWAY_PORT", environment: environment))
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if try await gateway.isReady() { return gateway }
            try await Task.sleep(for: .milliseconds(50))
        }
        await gateway.stop()
        throw HTTPTestError("chat-gateway did not become ready: \(gateway.output)")
    }

    func isReady() async throws -> Bool {
        guard let response = try? await HTTPTestClient.request(port: port, "GET", "/readyz", timeout: .seconds(2)) else { return false }
        return response.status == 200
    }

    /// SIGTERM; the exit status, or nil if it had to be killed.
    @discardableResult
    func stop() async -> Int32? { await service.stop() }
}
