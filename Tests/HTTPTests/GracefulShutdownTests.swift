import Foundation
import Synchronization
import Testing
import TestSupport
@testable import HTTP

@Suite struct GracefulShutdownTests {
    /// In-flight requests finish (told `Connection: close`), streams end with `retry:`, idle
    /// connections close, and nothing new is accepted.
    ///
    /// The request in flight takes 2 s; the shutdown's deadline is 30 s away. Shutting down
    /// ends once the work is done, long before the deadline: the 20 s bound between the two
    /// leaves room for a busy machine.
    @Test func finishesInFlightWorkEndsStreamsAndStopsAccepting() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        configuration.loopCount = 2
        configuration.sseShutdownRetryMilliseconds = 2000...2000
        let streams = Mutex<[EventStream]>([])
        let handling = TestCount()
        let server = HTTPServer(configuration: configuration, logger: Logger(label: "test", level: .error)) { request in
            if request.path == "/stream" {
                return .eventStream { stream in streams.withLock { $0.append(stream) } }
            }
            if request.path.hasPrefix("/sleep/") { handling.increment() }
            return await echo(request)
        }
        try server.start()
        let port = server.boundPort
        let idle = try await HTTPTestClient.connect(port: port)
        #expect(try await idle.request("GET", "/warm").status == 200)
        let streaming = try await HTTPTestClient.connect(port: port)
        _ = try await streaming.openEventStream("/stream")
        #expect(await eventually { streams.withLock { $0.count } == 1 })
        let busy = try await HTTPTestClient.connect(port: port)
        try await busy.send(HTTPTestClient.encodeRequest("GET", "/sleep/2000", host: "h", headers: [], body: []))
        #expect(await eventually { handling.value == 1 }, "the request is in flight")

        let start = ContinuousClock.now
        async let stopped: Void = server.shutdown(deadline: .now + .seconds(30))
        let answer = try await busy.readResponse(timeout: .seconds(10))
        #expect(answer.status == 200)
        #expect(answer.header("Connection") == "close")
        #expect(try await streaming.nextBlock()?.retry == 2000)
        #expect(try await streaming.nextBlock() == nil)
        #expect(try await idle.waitForClose(timeout: .seconds(10)))
        await stopped
        #expect(ContinuousClock.now - start < .seconds(20))
        await #expect(throws: HTTPTestError.self) { try await HTTPTestClient.connect(port: port) }
    }

    /// A handler still sleeping 30 s at a 300 ms deadline is not waited for: its connection
    /// is closed at the deadline (with slack for a busy machine, far short of the 30 s).
    @Test func closesWhatIsLeftAtTheDeadline() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        let handling = TestCount()
        let server = HTTPServer(configuration: configuration, logger: Logger(label: "test", level: .error)) { request in
            handling.increment()
            return await echo(request)
        }
        try server.start()
        let client = try await HTTPTestClient.connect(port: server.boundPort)
        try await client.send(HTTPTestClient.encodeRequest("GET", "/sleep/30000", host: "h", headers: [], body: []))
        #expect(await eventually { handling.value == 1 }, "the request is in flight")
        let deadline = Duration.milliseconds(300)
        let start = ContinuousClock.now
        await server.shutdown(deadline: .now + deadline)
        #expect(ContinuousClock.now - start < deadline + .seconds(15))
        #expect(try await client.waitForClose(timeout: .seconds(5)))
    }
}
