import Foundation
import Synchronization
import TestSupport

/// A real `chat-gateway` process on a free loopback port, for tests: started with the
/// environment given (plus `GATEWAY_PORT=0`), ready once it logged its port and `/readyz`
/// answers 200; stopped with SIGTERM.
///
/// `@unchecked Sendable`: `process` is only started once in `start` and then only signalled
/// and waited on (Foundation's `Process` is thread-safe for that); the log lives in a Mutex.
final class GatewayProcess: @unchecked Sendable {
    let port: Int
    private let process: Process
    private let log: ProcessLog

    private init(process: Process, port: Int, log: ProcessLog) {
        self.process = process
        self.port = port
        self.log = log
    }

    /// Where `swift build` put the executables: `CHAT_BIN_DIR`, or the test runner's folder.
    static var binDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["CHAT_BIN_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    static func start(databaseURL: String, environment extra: [String: String] = [:]) async throws -> GatewayProcess {
        let process = Process()
        process.executableURL = binDirectory.appendingPathComponent("chat-gateway")
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = databaseURL
        environment["GATEWAY_PORT"] = "0"
        environment["BIND_HOST"] = "127.0.0.1"
        environment["TAIL_SAFETY_INTERVAL_MS"] = environment["TAIL_SAFETY_INTERVAL_MS"] ?? "200"
        environment.merge(extra) { _, new in new }
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let log = ProcessLog()
        let lines = output.fileHandleForReading
        lines.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil; return }
            log.text.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if let port = log.text.withLock({ Self.listeningPort(in: $0) }) {
                let gateway = GatewayProcess(process: process, port: port, log: log)
                if try await gateway.isReady() { return gateway }
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw HTTPTestError("chat-gateway did not become ready: \(log.text.withLock { $0 })")
    }

    /// Everything the process wrote so far.
    var output: String { log.text.withLock { $0 } }

    func isReady() async throws -> Bool {
        guard let response = try? await HTTPTestClient.request(port: port, "GET", "/readyz", timeout: .seconds(2)) else { return false }
        return response.status == 200
    }

    /// SIGTERM, then waits (at most `timeout`) and returns the exit status; nil if still running.
    @discardableResult
    func stop(timeout: Duration = .seconds(12)) async -> Int32? {
        if process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        return process.terminationStatus
    }

    /// `{"message":"chat-gateway listening",...,"port":N}` in the log.
    private static func listeningPort(in log: String) -> Int? {
        for line in log.split(separator: "\n") where line.contains("\"chat-gateway listening\"") {
            guard let range = line.range(of: "\"port\":") else { continue }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
        return nil
    }
}

/// What a process wrote, collected from its pipe's handler thread.
final class ProcessLog: Sendable {
    let text = Mutex("")
}
