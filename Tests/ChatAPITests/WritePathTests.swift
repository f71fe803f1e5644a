import Foundation
import Models
import Postgres
import Testing
import TestSupport

/// The group committer's edge cases: a conversation held by another writer, and a row the
/// database refuses inside a batch of good ones.
@Suite(.chatAPI(), .serialized)
struct WritePathTests {
    @Test("a conversation locked by a DBA's open transaction holds back only its own sends")
    func lockedConversation() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let held = try await api.directChat(admin, try await api.user())
        let free = try await api.directChat(admin, try await api.user())
        let dba = try await DBASession.open(api.database.config)
        try await dba.run("BEGIN")
        try await dba.run("INSERT INTO chat.messages (conversation_id, sender_id, body) VALUES (\(held)::uuid, \(admin.id), 'typed by a DBA')")
        let waiting = Task { try await api.send(admin, held, "after the DBA") }
        let started = ContinuousClock.now
        let other = try await api.sent(admin, free, "not held back")
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(other.seq == 1)
        // The held send waits for the DBA's lock before the DBA commits.
        #expect(try await eventually {
            try await api.database.scalar("""
                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                """) == "1"
        })
        try await dba.run("COMMIT")
        await dba.close()
        let response = try await waiting.value
        try expectStatus(response, 201)
        #expect(try response.decode(Message.self).seq == 2)
        let metrics = try await api.call("GET", "/metrics").text
        let busy = metrics.split(separator: "\n").first { $0.hasPrefix("chat_send_busy_rows_total") }?.split(separator: " ").last
        #expect((busy.flatMap { Double($0) } ?? 0) >= 1, "\(metrics)")
    }

    @Test("a conversation held longer than the lock timeout: 503 for its send, nothing stored")
    func lockTimeout() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let held = try await api.directChat(admin, try await api.user())
        let dba = try await DBASession.open(api.database.config)
        try await dba.run("BEGIN")
        try await dba.run("SELECT 1 FROM chat.conversations WHERE id = \(held)::uuid FOR UPDATE")
        let started = ContinuousClock.now
        let response = try await api.send(admin, held, "waits too long")
        expectError(response, 503, "unavailable")
        #expect(ContinuousClock.now - started < .seconds(8))
        try await dba.run("ROLLBACK")
        await dba.close()
        #expect(try await api.database.scalar("SELECT count(*) FROM chat.messages WHERE conversation_id = \(held)::uuid") == "0")
    }
}

/// A rule added to the table by a DBA (its own database: the ALTER TABLE must not wait for
/// other tests' transactions).
@Suite(.chatAPI())
struct RefusedRowTests {
    @Test("a row the database refuses fails alone; the rest of its batch is stored without gaps")
    func badRowInABatch() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let senders = try await withThrowingTaskGroup(of: TestUser.self) { group in
            for _ in 0..<12 { group.addTask { try await api.user() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let chat = try await api.circleChat(admin, members: senders)
        // A rule the API does not know about, as a DBA might add one.
        try await api.database.execute("ALTER TABLE chat.messages ADD CONSTRAINT test_no_forbidden_words CHECK (body NOT LIKE '%forbidden%')")
        let statuses = try await withThrowingTaskGroup(of: (String, HTTPTestResponse).self) { group in
            for (n, sender) in senders.enumerated() {
                let body = n == 5 ? "a forbidden word" : "fine \(n)"
                group.addTask { (body, try await api.send(sender, chat.conversation, body)) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for (body, response) in statuses {
            if body.contains("forbidden") {
                expectError(response, 422, "invalid", field: "body")
            } else {
                try expectStatus(response, 201)
            }
        }
        let seqs = try await api.database.rows("SELECT seq FROM chat.messages WHERE conversation_id = \(chat.conversation)::uuid ORDER BY seq")
            .map { Int64($0["seq"]!!)! }
        #expect(seqs == Array(1...Int64(senders.count)))  // seq 1: the chat_created system message
    }
}

/// A DBA's psql session: one connection whose statements run off the cooperative pool.
/// `@unchecked Sendable`: the connection is used by one test at a time, one statement after the
/// other (each `run` awaits the previous one).
final class DBASession: @unchecked Sendable {
    private let connection: PostgresConnection

    private init(_ connection: PostgresConnection) { self.connection = connection }

    static func open(_ config: PostgresConfig) async throws -> DBASession {
        DBASession(try await offloaded { try PostgresConnection.connect(config) })
    }

    func run(_ query: SQLQuery) async throws {
        try await offloaded { _ = try connection.execute(query) }
    }

    func close() async { await offloaded { connection.close() } }
}
