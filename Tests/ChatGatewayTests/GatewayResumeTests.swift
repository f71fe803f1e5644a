import Foundation
import Testing
import TestSupport

@Suite("Gateway resume: Last-Event-ID replays with no gap and no duplicate", .serialized)
struct GatewayResumeTests {
    @Test("a client resuming after a gateway restart gets every message once, in order; SIGTERM ends streams with retry and exits 0")
    func acrossGatewayRestart() async throws {
        try await withGateway { world, first in
            try await world.user("ada")
            let chat = try #require(try await world.circle("c1", members: ["ada"]))
            let token = try await world.token("ada")
            let stream = try await first.openStream(world, token: token)
            for _ in 1...3 { try await world.message(chat, from: "ada", "before") }
            let before = try await stream.next(3)
            #expect(before.map(\.messageSeq) == [2, 3, 4])  // seq 1: the chat_created system message
            let lastID = try #require(before.last?.id)

            let stopStarted = ContinuousClock.now
            let stopping = Task { await first.stop() }
            var sawRetry = false
            while let block = try await stream.client.nextBlock(timeout: .seconds(10)) {
                if block.retry != nil { sawRetry = true }
            }
            #expect(sawRetry, "the stream ends with a retry: frame")
            #expect(await stopping.value == 0)
            #expect(ContinuousClock.now - stopStarted < .seconds(10), "SIGTERM: exit within 10 seconds")

            for _ in 4...8 { try await world.message(chat, from: "ada", "while down") }
            let second = try await GatewayProcess.start(databaseURL: world.url)
            let resumed = try await second.openStream(world, token: token, headers: [("Last-Event-ID", lastID)])
            for _ in 9...10 { try await world.message(chat, from: "ada", "after") }
            let after = try await resumed.next(7)
            #expect(after.map(\.messageSeq) == [5, 6, 7, 8, 9, 10, 11])
            #expect(zip(after, after.dropFirst()).allSatisfy { ($0.position ?? 0) < ($1.position ?? 0) }, "ids only grow")
            try await resumed.expectNothing(for: .milliseconds(300))
            await second.stop()
        }
    }

    @Test("across a PostgreSQL restart: open streams stay and get what was committed after it, a new stream gets 503 while it is down, a resuming one gets every message once")
    func acrossDatabaseRestart() async throws {
        let cluster = try await offPool { try PostgresCluster.start() }
        defer { cluster.destroy() }
        try await offPool { try TestDatabase.migrate(url: cluster.url) }
        let world = ChatWorld(url: cluster.url)
        defer { world.close() }
        try await world.user("ada")
        let chat = try #require(try await world.circle("c1", members: ["ada"]))
        let token = try await world.token("ada")
        let unused = try await world.token("ada")  // never looked up: not in the gateway's cache
        let gateway = try await GatewayProcess.start(databaseURL: cluster.url)
        let stream = try await gateway.openStream(world, token: token)
        for _ in 1...3 { try await world.message(chat, from: "ada", "before") }
        let before = try await stream.next(3)
        #expect(before.map(\.messageSeq) == [2, 3, 4])  // seq 1: the chat_created system message

        try await offPool { try cluster.stop() }
        let refused = try await TestStream.refusal(port: gateway.port, path: "/v1/stream?access_token=\(unused)")
        #expect(refused.status == 503)
        #expect(refused.errorCode == "unavailable")
        try await offPool { try cluster.start() }
        for n in 4...8 { try await retrying { try await world.message(chat, from: "ada", "after restart \(n)") } }

        let after = try await stream.next(5, timeout: .seconds(15))
        #expect(after.map(\.messageSeq) == [5, 6, 7, 8, 9])
        try await stream.expectNothing(for: .milliseconds(300))
        let resumed = try await gateway.openStream(world, token: token, headers: [("Last-Event-ID", try #require(before.last?.id))])
        #expect(try await resumed.next(5).map(\.messageSeq) == [5, 6, 7, 8, 9])
        try await resumed.expectNothing(for: .milliseconds(300))
        #expect(try await gateway.isReady())
        await gateway.stop()
    }

    @Test("reconnecting in the middle of a steady stream of writes loses and repeats nothing")
    func seamUnderConcurrentWrites() async throws {
        try await withGateway { world, gateway in
            try await world.user("ada")
            let chat = try #require(try await world.circle("c1", members: ["ada"]))
            let token = try await world.token("ada")
            // Every stream resumes, the first from the position before the first message: a
            // stream without Last-Event-ID starts live at the gateway's position, wherever the
            // writer already is.
            let start = try await world.latestPosition()
            let total = 120
            let writer = Task {
                for n in 1...total {
                    try await world.message(chat, from: "ada", "m\(n)")
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            var seqs: [Int64] = []
            var lastID = String(start)
            do {
                while seqs.count < total {
                    let stream = try await gateway.openStream(world, token: token, headers: [("Last-Event-ID", lastID)])
                    for event in try await stream.next(min(25, total - seqs.count), timeout: .seconds(10)) {
                        seqs.append(try #require(event.messageSeq))
                        lastID = try #require(event.id)
                    }
                }
            } catch {
                try await writer.value  // a writer that failed explains a missing event better
                throw error
            }
            try await writer.value
            #expect(seqs == (2...Int64(total + 1)).map { $0 })  // seq 1: the chat_created system message
        }
    }

    @Test("a new stream is told its position at once (an id with no data), so a drop before its first event resumes with no gap")
    func newStreamLearnsItsPosition() async throws {
        try await withGateway { world, gateway in
            try await world.user("ada")
            let chat = try #require(try await world.circle("c1", members: ["ada"]))
            try await world.messages(chat, from: "ada", count: 2)
            let latest = try await world.latestPosition()
            let token = try await world.token("ada")

            let first = try await gateway.openStream(world, token: token)
            let marker = try #require(try await first.client.nextBlock())
            #expect(marker.data == nil, "the position block carries no data, so no event fires")
            #expect(marker.id == String(latest))
            first.client.close()

            try await world.message(chat, from: "ada", "while away")
            let resumed = try await gateway.openStream(world, token: token, headers: [("Last-Event-ID", try #require(marker.id))])
            let event = try await resumed.next()
            #expect(event.event == "message.created")
            #expect(event.messageSeq == 4)  // after the chat_created system message and two messages
        }
    }

    @Test("a Last-Event-ID older than what is kept gets reset with the current position, then live events")
    func oldIdGetsReset() async throws {
        try await withGateway { world, gateway in
            try await world.user("ada")
            let chat = try #require(try await world.circle("c1", members: ["ada"]))
            try await world.messages(chat, from: "ada", count: 5)
            let latest = try await world.latestPosition()
            try await world.execute("DELETE FROM chat.events WHERE pos <= 3")
            let token = try await world.token("ada")

            let pruned = try await gateway.openStream(world, token: token, query: "&last_event_id=1")
            let reset = try await pruned.next()
            #expect(reset.event == "reset")
            #expect(reset.position == latest)
            #expect(reset.json["reason"] as? String == "expired")

            try await world.execute("UPDATE chat.events SET committed_at = committed_at - interval '25 hours'")
            let stale = try await gateway.openStream(world, token: token, headers: [("Last-Event-ID", "4")])
            #expect(try await stale.next().event == "reset")

            let future = try await gateway.openStream(world, token: token, headers: [("Last-Event-ID", "999999")])
            let unknown = try await future.next()
            #expect(unknown.event == "reset")
            #expect(unknown.json["reason"] as? String == "unknown_position")

            try await world.message(chat, from: "ada", "live")
            for stream in [pruned, stale, future] { #expect(try await stream.next().messageSeq == 7) }  // 1: chat_created
        }
    }

    @Test("two gateway replicas on one database each deliver everything to their own clients")
    func twoReplicas() async throws {
        try await withGateway { world, first in
            let second = try await GatewayProcess.start(databaseURL: world.url)
            try await world.user("ada")
            try await world.user("admin", admin: true)
            let chat = try #require(try await world.circle("c1", members: ["ada"]))
            let streams = [
                try await first.openStream(world, token: try await world.token("ada")),
                try await second.openStream(world, token: try await world.token("ada")),
                try await second.openStream(world, token: try await world.token("admin")),
            ]
            try await world.messages(chat, from: "ada", count: 20)
            for stream in streams {
                #expect(try await stream.next(20).map(\.messageSeq) == (2...21).map { Int64($0) })  // 1: chat_created
            }
            await second.stop()
        }
    }
}

/// Retries `body` for a few seconds while the database comes back.
func retrying(_ body: () async throws -> Void) async throws {
    let deadline = ContinuousClock.now + .seconds(15)
    while true {
        do { return try await body() } catch {
            guard ContinuousClock.now < deadline else { throw error }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
