import Foundation
import Synchronization
import Testing
import TestSupport
@testable import HTTP

@Suite struct GracefulShutdownTests {
    /// In-flight requests finish (told `Connection: close`), streams end with `retry:`, idle
    /// connections close, and nothing new is accepted.
    @Test func finishesInFlightWorkEndsStreamsAndStopsAccepting() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        configuration.loopCount = 2
        configuration.sseShutdownRetryMilliseconds = 2000...2000
        let streams = Mutex<[EventStream]>([])
        let server = HTTPServer(configuration: configuration, logger: Logger(label: "test", level: .error)) { request in
            if request.path == "/stream" {
                return .eventStream { stream in streams.withLock { $0.append(stream) } }
            }
            return await echo(request)
        }
        try server.start()
        let port = server.boundPort
        let idle = try HTTPTestClient(port: port)
        #expect(try await idle.request("GET", "/warm").status == 200)
        let streaming = try HTTPTestClient(port: port)
        _ = try await streaming.openEventStream("/stream")
        #expect(await eventually { streams.withLock { $0.count } == 1 })
        let busy = try HTTPTestClient(port: port)
        try await busy.send(HTTPTestClient.encodeRequest("GET", "/sleep/400", host: "h", headers: [], body: []))
        try await Task.sleep(for: .milliseconds(50))

        let start = ContinuousClock.now
        async let stopped: Void = server.shutdown(deadline: .now + .seconds(5))
        let answer = try await busy.readResponse()
        #expect(answer.status == 200)
        #expect(answer.header("Connection") == "close")
        #expect(try await streaming.nextBlock()?.retry == 2000)
        #expect(try await streaming.nextBlock() == nil)
        #expect(try await idle.waitForClose(timeout: .seconds(2)))
        await stopped
        #expect(ContinuousClock.now - start < .seconds(3))
        #expect(throws: HTTPTestError.self) { try HTTPTestClient(port: port) }
    }

    @Test func closesWhatIsLeftAtTheDeadline() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        let server = HTTPServer(configuration: configuration, logger: Logger(label: "test", level: .error), handler: echo)
        try server.start()
        let client = try HTTPTestClient(port: server.boundPort)
        try await client.send(HTTPTestClient.encodeRequest("GET", "/sleep/5000", host: "h", headers: [], body: []))
        try await Task.sleep(for: .milliseconds(50))
        let start = ContinuousClock.now
        await server.shutdown(deadline: .now + .milliseconds(300))
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(try await client.waitForClose(timeout: .seconds(1)))
    }
}
