import Foundation
import Postgres
import Testing
import TestSupport

/// LISTEN/NOTIFY on a dedicated connection, across server restarts.
@Suite struct PostgresListenerTests {
    /// What a listener reported, in order.
    final class Events: Sendable {
        let notifications = Recorder<String>()
        let connects = Recorder<Bool>()
        let errors = Recorder<PostgresError>()

        func listener(
            _ config: PostgresConfig, channels: [String], backoff: ReconnectBackoff = ReconnectBackoff()
        ) -> PostgresListener {
            PostgresListener(
                config: config, channels: channels,
                onNotification: { channel, payload in self.notifications.append("\(channel)|\(payload)") },
                onConnect: { reconnected in self.connects.append(reconnected) },
                onError: { error in self.errors.append(error) },
                backoff: backoff)
        }
    }

    /// How long `stop()` may take on a busy machine: it wakes the listener's thread, which
    /// closes its connection and ends. Far below the waits it must interrupt (a reconnect
    /// delay, a poll with no timeout).
    static let promptStop = Duration.seconds(2)

    @Test func deliversNotificationsOnOddlyNamedChannels() async throws {
        let config = try environmentConfig()
        let channel = #"pg test "chan" \#(UInt32.random(in: 0...UInt32.max))"#
        let events = Events()
        let listener = events.listener(config, channels: [channel, "other_\(channel)"])
        listener.start()
        defer { listener.stop() }
        try #require(await eventually { events.connects.values == [false] })
        #expect(listener.isConnected)
        try await notify(config, channel, "héllo 👋")
        try await notify(config, channel, "")
        try #require(await eventually { events.notifications.values.count == 2 })
        #expect(events.notifications.values == ["\(channel)|héllo 👋", "\(channel)|"])
    }

    @Test func reconnectsAfterTheServerRestartsAndHearsAgain() async throws {
        try await PostgresCluster.with { cluster in
            let events = Events()
            let listener = events.listener(cluster.config, channels: ["chat_events"])
            listener.start()
            defer { listener.stop() }
            try #require(await eventually { events.connects.values == [false] })
            try await notify(cluster.config, "chat_events", "1")
            try #require(await eventually { events.notifications.values == ["chat_events|1"] })

            try await cluster.stopOffloaded()
            try #require(await eventually { !listener.isConnected && events.errors.values.count >= 2 })
            #expect(events.errors.values.allSatisfy { $0.kind == .connection })
            try await cluster.startOffloaded()
            try #require(await eventually(timeout: .seconds(30)) { events.connects.values == [false, true] })
            #expect(listener.isConnected)
            try await notify(cluster.config, "chat_events", "2")
            try #require(await eventually { events.notifications.values == ["chat_events|1", "chat_events|2"] })
        }
    }

    @Test func restartWithoutDowntimeIsNoticedToo() async throws {
        try await PostgresCluster.with { cluster in
            let events = Events()
            let listener = events.listener(cluster.config, channels: ["doorbell"])
            listener.start()
            defer { listener.stop() }
            try #require(await eventually { events.connects.values == [false] })
            try await cluster.restartOffloaded()
            try #require(await eventually(timeout: .seconds(30)) { events.connects.values == [false, true] })
            try await notify(cluster.config, "doorbell", "after restart")
            try #require(await eventually { events.notifications.values == ["doorbell|after restart"] })
        }
    }

    /// One listener sits in a 60 s reconnect delay: `stop()` interrupts it rather than waiting
    /// it out. Another retries every 10 ms: after `stop()` it tries no more.
    @Test func stopIsPromptWhileTheServerIsUnreachable() async throws {
        let config = PostgresConfig(url: "postgres://postgres@127.0.0.1:\(try unusedPort())/x", connectTimeout: .seconds(5))
        let waiting = Events()
        let patient = waiting.listener(config, channels: ["c"], backoff: ReconnectBackoff(initial: .seconds(60)))
        patient.start()
        try #require(await eventually { waiting.errors.values.count >= 1 })
        #expect(!patient.isConnected)
        let started = ContinuousClock.now
        patient.stop()
        #expect(ContinuousClock.now - started < Self.promptStop, "stop() sat out the reconnect delay")

        let retrying = Events()
        let eager = retrying.listener(
            config, channels: ["c"], backoff: ReconnectBackoff(initial: .milliseconds(10), maximum: .milliseconds(10)))
        eager.start()
        try #require(await eventually { retrying.errors.values.count >= 2 })
        eager.stop()
        let errorsAtStop = retrying.errors.values.count
        try await Task.sleep(for: .milliseconds(400))
        #expect(retrying.errors.values.count == errorsAtStop, "no retries after stop")
        #expect(waiting.connects.values.isEmpty && retrying.connects.values.isEmpty)
    }

    @Test func stopWhileListeningEndsTheSessionAndTheCallbacks() async throws {
        let config = try environmentConfig()
        let channel = "pg_stop_\(UInt32.random(in: 0...UInt32.max))"
        let events = Events()
        let listener = events.listener(config, channels: [channel])
        listener.start()
        try #require(await eventually { listener.isConnected })
        #expect(try await listeningSessions(config, channel) == 1)
        let started = ContinuousClock.now
        listener.stop()
        #expect(ContinuousClock.now - started < Self.promptStop)
        #expect(!listener.isConnected)
        try await notify(config, channel, "late")
        try await Task.sleep(for: .milliseconds(200))
        #expect(events.notifications.values.isEmpty)
        #expect(try await listeningSessions(config, channel) == 0)
    }

    @Test func stopFromInsideACallbackDoesNotDeadlock() async throws {
        let config = try environmentConfig()
        let channel = "pg_selfstop_\(UInt32.random(in: 0...UInt32.max))"
        let stopped = Recorder<Bool>()
        let holder = Recorder<PostgresListener>()
        let listener = PostgresListener(
            config: config, channels: [channel],
            onNotification: { _, _ in
                holder.values.first?.stop()
                stopped.append(true)
            })
        holder.append(listener)
        listener.start()
        try #require(await eventually { listener.isConnected })
        try await notify(config, channel, "stop")
        try #require(await eventually { stopped.values == [true] && !listener.isConnected })
        listener.stop()
    }

    /// Sessions whose last statement was our LISTEN on `channel`.
    private func listeningSessions(_ config: PostgresConfig, _ channel: String) async throws -> Int {
        try await offloaded {
            let conn = try PostgresConnection.connect(config)
            defer { conn.close() }
            return try conn.scalar(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE query = \("LISTEN \"\(channel)\"")", as: Int.self)
        }
    }

    private func notify(_ config: PostgresConfig, _ channel: String, _ payload: String) async throws {
        try await offloaded {
            let conn = try PostgresConnection.connect(config)
            defer { conn.close() }
            _ = try conn.query("SELECT pg_notify(\(channel), \(payload))")
        }
    }
}
