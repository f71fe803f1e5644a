import Foundation
import Synchronization
import Testing
import TestSupport
@testable import HTTP

/// Server-Sent Events over real sockets: framing, bounded buffers, disconnects, heartbeats.
@Suite struct EventStreamTests {
    /// Keeps the streams handlers open, like a gateway's registry.
    final class Registry: Sendable {
        let streams = Mutex<[EventStream]>([])
        let closed = Mutex<[Int]>([])

        func open(_ stream: EventStream) {
            streams.withLock { $0.append(stream) }
            stream.onClose { [self] in closed.withLock { $0.append(stream.id) } }
        }

        var all: [EventStream] { streams.withLock { $0 } }
        var closedIDs: [Int] { closed.withLock { $0 } }

        var handler: @Sendable (HTTPRequest) async -> HTTPResponse {
            { [self] _ in .eventStream { stream in self.open(stream) } }
        }
    }

    @Test func writesTheEventStreamHeadAndEvents() async throws {
        let registry = Registry()
        try await withServer(handler: registry.handler) { server in
            let client = try await HTTPTestClient.connect(port: server.boundPort)
            let head = try await client.openEventStream("/v1/stream")
            #expect(head.status == 200)
            #expect(head.header("Content-Type") == "text/event-stream")
            #expect(head.header("Cache-Control") == "no-cache")
            #expect(head.header("X-Accel-Buffering") == "no")
            #expect(head.header("Content-Length") == nil)
            #expect(head.header("Transfer-Encoding") == nil)
            #expect(await eventually { registry.all.count == 1 })
            let stream = try #require(registry.all.first)
            #expect(stream.send(SSEFrame.encode(id: "7", event: "message.created", data: "{\"a\":1}\nsecond line")))
            let event = try #require(try await client.nextEvent())
            #expect(event.id == "7")
            #expect(event.event == "message.created")
            #expect(event.data == "{\"a\":1}\nsecond line")
        }
    }

    /// A client that stops reading is closed once its pending bytes pass the bound; another
    /// stream on the same server keeps receiving.
    @Test func closesASlowConsumerAtTheBoundWhileOthersKeepReceiving() async throws {
        let registry = Registry()
        let metrics = MetricsRegistry()
        try await withServer({ $0.sseMaxBufferedBytes = 96 * 1024 }, metrics: metrics, handler: registry.handler) { server in
            let stalled = try await HTTPTestClient.connect(port: server.boundPort, receiveBufferSize: 4096)
            _ = try await stalled.openEventStream("/v1/stream")
            #expect(await eventually { registry.all.count == 1 })
            let reader = try await HTTPTestClient.connect(port: server.boundPort)
            _ = try await reader.openEventStream("/v1/stream")
            #expect(await eventually { registry.all.count == 2 })
            let (slow, healthy) = (registry.all[0], registry.all[1])

            let event = SSEFrame.encode(event: "bulk", data: String(repeating: "x", count: 16 * 1024))
            let target = 300
            let received = TestCount()
            let reading = Task {
                while received.value < target, try await reader.nextEvent(timeout: .seconds(30)) != nil {
                    received.increment()
                }
            }
            // The healthy stream is fed only as fast as its reader takes events: at most two in
            // flight (the loop counts bytes as written a moment after the reader may see them).
            var sentToHealthy = 0
            func feedHealthy() {
                while sentToHealthy < target && sentToHealthy - received.value < 2 {
                    #expect(healthy.send(event))
                    sentToHealthy += 1
                }
            }
            var sentToSlow = 0
            while slow.send(event) {
                feedHealthy()
                sentToSlow += 1
                if sentToSlow % 8 == 0 { try await Task.sleep(for: .milliseconds(1)) }
                try #require(sentToSlow < 5000, "the stalled stream was never cut off")
            }
            #expect(slow.isClosed)
            #expect(await eventually { registry.closedIDs == [slow.id] })
            let deadline = ContinuousClock.now + .seconds(30)
            while received.value < target && ContinuousClock.now < deadline {
                feedHealthy()
                try await Task.sleep(for: .milliseconds(1))
            }
            try await reading.value
            #expect(received.value == target)
            #expect(!healthy.isClosed)
            #expect(metrics.render().contains("http_sse_slow_consumer_disconnects_total 1"))
        }
    }

    /// The bound bounds memory: a stalled stream's socket gets a small kernel send buffer
    /// (`sseSocketSendBufferBytes`), so what it can absorb before the cut is about the bound plus
    /// that buffer, not the megabytes the kernel would otherwise take on loopback.
    @Test func aStalledStreamAbsorbsLittleMoreThanTheBoundBeforeItIsCut() async throws {
        let registry = Registry()
        let bound = 96 * 1024
        try await withServer({ $0.sseMaxBufferedBytes = bound; $0.sseSocketSendBufferBytes = 32 * 1024 },
                             handler: registry.handler) { server in
            let stalled = try await HTTPTestClient.connect(port: server.boundPort, receiveBufferSize: 4096)
            _ = try await stalled.openEventStream("/v1/stream")
            #expect(await eventually { registry.all.count == 1 })
            let slow = try #require(registry.all.first)
            let event = SSEFrame.encode(event: "bulk", data: String(repeating: "x", count: 8 * 1024))
            var accepted = 0
            while slow.send(event) {
                accepted += event.bytes.count
                try #require(accepted < 64 << 20, "the stalled stream was never cut off")
                try await Task.sleep(for: .milliseconds(1))
            }
            // bound + kernel send buffer (Linux doubles 32 KiB) + the client's small receive
            // buffer + one event in flight, with room to spare; uncapped, loopback takes megabytes.
            #expect(accepted < bound + 512 * 1024, "accepted \(accepted) bytes before the cut")
        }
    }

    @Test func runsOnCloseWhenTheClientGoesAway() async throws {
        let registry = Registry()
        let metrics = MetricsRegistry()
        try await withServer(metrics: metrics, handler: registry.handler) { server in
            let client = try await HTTPTestClient.connect(port: server.boundPort)
            _ = try await client.openEventStream("/v1/stream")
            #expect(await eventually { registry.all.count == 1 })
            #expect(metrics.render().contains("http_open_streams 1"))
            client.close()
            #expect(await eventually { registry.closedIDs.count == 1 })
            let stream = try #require(registry.all.first)
            #expect(!stream.send(SSEFrame.comment("late")))
            #expect(metrics.render().contains("http_open_streams 0"))
            // A callback registered after the close runs at once.
            let late = Mutex(false)
            stream.onClose { late.withLock { $0 = true } }
            #expect(late.withLock { $0 })
        }
    }

    @Test func writesHeartbeats() async throws {
        let registry = Registry()
        try await withServer({ $0.sseHeartbeatInterval = .milliseconds(100) }, handler: registry.handler) { server in
            let client = try await HTTPTestClient.connect(port: server.boundPort)
            _ = try await client.openEventStream("/v1/stream")
            let block = try #require(try await client.nextBlock(timeout: .seconds(10)))
            #expect(block.comments == ["ping"])
        }
    }

    @Test func flushesTheFinalFrameThenCloses() async throws {
        let registry = Registry()
        try await withServer(handler: registry.handler) { server in
            let client = try await HTTPTestClient.connect(port: server.boundPort)
            _ = try await client.openEventStream("/v1/stream")
            #expect(await eventually { registry.all.count == 1 })
            let stream = try #require(registry.all.first)
            stream.send(SSEFrame.encode(data: "last"))
            stream.close(final: SSEFrame.retry(milliseconds: 1234))
            #expect(!stream.send(SSEFrame.encode(data: "after")))
            #expect(try await client.nextEvent()?.data == "last")
            #expect(try await client.nextBlock()?.retry == 1234)
            #expect(try await client.nextBlock() == nil)
            #expect(await eventually { registry.closedIDs.count == 1 })
        }
    }

    /// Sending one event to 10,000 streams is a lock and an append per stream, and one
    /// wake-up per loop: measured here without sockets, in the CPU time of the sending thread
    /// (a busy machine delays it, but does not make it cost more).
    @Test func sendingOneEventToTenThousandStreamsIsCheap() async throws {
        try await offloaded {
            let inbox = try LoopInbox()
            let streams = (0..<10_000).map {
                EventStream(id: $0, connection: ConnectionID(slot: UInt32($0), generation: 0), inbox: inbox, maxBufferedBytes: 1 << 20)
            }
            let event = SSEFrame.encode(id: "1", event: "message.created", data: String(repeating: "m", count: 500))
            let start = threadCPUTime()
            for stream in streams { #expect(stream.send(event)) }
            let cost = threadCPUTime() - start
            print("sent one event to 10,000 streams in \(cost) of CPU time")
            #expect(cost < .milliseconds(500))
            #expect(inbox.drain().count == 10_000)
            // A second event before the loop ran adds no wake-up message.
            for stream in streams { stream.send(event) }
            #expect(inbox.drain().isEmpty)
        }
    }
}
