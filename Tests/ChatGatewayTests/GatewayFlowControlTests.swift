import Foundation
import Testing
import TestSupport

@Suite("Gateway flow control: heartbeats and slow consumers", .serialized)
struct GatewayFlowControlTests {
    @Test("idle streams get heartbeat comments at the configured interval")
    func heartbeats() async throws {
        try await withGateway(environment: ["SSE_HEARTBEAT_SECONDS": "0.3"]) { world, gateway in
            try await world.user("ada")
            let stream = try await gateway.openStream(world, token: try await world.token("ada"))
            let position = try #require(try await stream.client.nextBlock(timeout: .seconds(4)))
            #expect(position.id != nil && position.data == nil, "a new stream first learns its position")
            // Three beats at 0.3 s take about a second; at the 15 s default they would take 45.
            let started = ContinuousClock.now
            for _ in 1...3 {
                let block = try #require(try await stream.client.nextBlock(timeout: .seconds(4)))
                #expect(!block.comments.isEmpty && block.data == nil)
            }
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test("a client that does not read is disconnected at the bound while another keeps receiving, and resumes without loss")
    func slowConsumer() async throws {
        try await withGateway(environment: ["SSE_MAX_BUFFER_BYTES": "262144"]) { world, gateway in
            try await world.user("ada")
            let chat = try #require(try await world.circle("c1", members: ["ada"]))
            let token = try await world.token("ada")
            let stalled = try await gateway.openStream(world, token: token, receiveBufferSize: 4096)
            let reader = try await gateway.openStream(world, token: try await world.token("ada"))
            // About 8 MB of events: past what the kernel's socket buffers absorb on loopback (the
            // send buffer grows to about 4 MB), so the engine's own 256 KiB bound must act.
            let body = String(repeating: "x", count: 3900)
            let count = 2000
            let reading = Task {
                var seqs: [Int64] = []
                for _ in 0..<count { seqs.append(try await reader.next(timeout: .seconds(15)).messageSeq ?? -1) }
                return seqs
            }
            let started = ContinuousClock.now
            for batch in 0..<(count / 10) {  // 40 KB per commit: a reading client stays far below 256 KiB
                try await world.execute("""
                    INSERT INTO chat.messages (conversation_id, sender_id, body)
                    SELECT \(chat)::uuid, 'ada', \(body) || n FROM generate_series(\(batch * 10 + 1), \(batch * 10 + 10)) AS n
                    """)
            }
            #expect(try await reading.value == (2...Int64(count + 1)).map { $0 })  // seq 1: the chat_created system message
            #expect(ContinuousClock.now - started < .seconds(20))

            var lastID: String?
            while let block = try await stalled.client.nextBlock(timeout: .seconds(5)) { lastID = block.id ?? lastID }
            var received = try #require(lastID.flatMap { Int64($0) })
            let latest = try await world.latestPosition()
            #expect(received < latest, "the stalled stream was cut before it got everything")

            // Resuming gets the rest, each position once and in order; a replay larger than the
            // bound is itself cut and resumed again, still without loss.
            var reconnects = 0
            while received < latest, reconnects < 50 {
                reconnects += 1
                let resumed = try await gateway.openStream(world, token: token, headers: [("Last-Event-ID", String(received))])
                while received < latest, let event = try await resumed.client.nextEvent(timeout: .seconds(5)) {
                    #expect(event.position == received + 1)
                    received = try #require(event.position)
                }
            }
            #expect(received == latest)
        }
    }
}
