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
        if try await eventually(every: .milliseconds(50), { try await gateway.isReady() }) { return gateway }
        await gateway.stop()
        throw HTTPTestError("chat-gateway did not become ready: \(gateway.output)")
    }

    func isReady() async throws -> Bool {
        guard let response = try? await HTTPTestClient.request(port: port, "GET", "/readyz", timeout: .seconds(2)) else { return false }
        return response.status == 200
    }

    /// The gateway's tail position, from `/metrics` (`chat_gateway_tail_position`).
    func tailPosition() async throws -> Int64 {
        let metrics = try await HTTPTestClient.request(port: port, "GET", "/metrics")
        for line in metrics.text.split(separator: "\n") where line.hasPrefix("chat_gateway_tail_position ") {
            return Int64(Double(line.split(separator: " ")[1]) ?? 0)
        }
        return 0
    }

    /// Opens a stream once the gateway has routed everything `world` committed so far, so a
    /// stream without `Last-Event-ID` (live from the gateway's position) starts after the
    /// test's setup, never in the middle of it.
    func openStream(_ world: ChatWorld, token: String, query: String = "", headers: [(String, String)] = [],
                    receiveBufferSize: Int? = nil) async throws -> TestStream {
        let committed = try await world.latestPosition()
        guard try await eventually(timeout: .seconds(10), { try await tailPosition() >= committed }) else {
            throw HTTPTestError("the gateway did not catch up to position \(committed)")
        }
        return try await TestStream.open(port: port, token: token, query: query, headers: headers, receiveBufferSize: receiveBufferSize)
    }

    /// SIGTERM; the exit status, or nil if it had to be killed.
    @discardableResult
    func stop() async -> Int32? { await service.stop() }
}
