import Foundation
import Models
import Synchronization
import Testing
import TestSupport

/// The database going away mid-traffic (docs/api.md: 503 `unavailable`, "the process stays up and
/// recovers by itself"), on a private cluster this test may stop and start.
@Suite
struct DatabaseRestartTests {
    @Test("while the database is down: 503s, no request hangs; after: full service, nothing half-written")
    func restartMidTraffic() async throws {
        try await PostgresCluster.with { cluster in try await restartMidTraffic(cluster) }
    }

    private func restartMidTraffic(_ cluster: PostgresCluster) async throws {
        try await TestDatabase.migrateOffloaded(url: cluster.url)
        let key = APIHarness.serviceKey
        let api = try await ServiceProcess.start("chat-api", portVariable: "API_PORT", environment: [
            "DATABASE_URL": cluster.url, "CHAT_SERVICE_KEY": key, "CHAT_ATTACHMENT_SECRET": "attachment-secret-for-tests-0123456789", "SEND_RATE_PER_SECOND": "0", "DB_POOL_SIZE": "4",
            "DB_ACQUIRE_TIMEOUT_MS": "1000", "LOG_LEVEL": "error",
        ])
        func call(_ method: String, _ path: String, token: String, json: String? = nil) async throws -> HTTPTestResponse {
            var headers = [("Authorization", "Bearer \(token)")]
            if json != nil { headers.append(("Content-Type", "application/json")) }
            return try await HTTPTestClient.request(port: api.port, method, path, headers: headers, body: Array((json ?? "").utf8), timeout: .seconds(10))
        }
        for (id, role) in [("boss", "admin"), ("ann", "member")] {
            try expectStatus(try await call("PUT", "/v1/users/\(id)", token: key, json: "{\"name\":\"\(id)\",\"email\":\"\(id)@example.com\",\"role\":\"\(role)\"}"), 201)
        }
        let adminToken = try await call("POST", "/v1/sessions", token: key, json: #"{"user_id":"boss"}"#).object()["token"] as? String ?? ""
        let userToken = try await call("POST", "/v1/sessions", token: key, json: #"{"user_id":"ann"}"#).object()["token"] as? String ?? ""
        let conversation = try await call("POST", "/v1/conversations/direct", token: adminToken, json: #"{"user_id":"ann"}"#).object()["id"] as? String ?? ""

        // Four senders send without pause, each message with its own client_id, until told to stop.
        let log = SendLog()
        let stop = StopFlag()
        let senders = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (sender, token) in [("boss", adminToken), ("ann", userToken), ("boss2", adminToken), ("ann2", userToken)] {
                    group.addTask {
                        var n = 0
                        while !stop.isSet {
                            n += 1
                            let clientID = "\(sender)-\(n)"
                            let started = ContinuousClock.now
                            let response = try await call("POST", "/v1/conversations/\(conversation)/messages", token: token,
                                                          json: "{\"body\":\"\(clientID)\",\"client_id\":\"\(clientID)\"}")
                            log.record(clientID: clientID, token: token, status: response.status, code: response.errorCode,
                                       seconds: (ContinuousClock.now - started).seconds, message: response.status == 201 ? try? response.decode(Message.self) : nil)
                            if response.status != 201 { try await Task.sleep(for: .milliseconds(20)) }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        try await Task.sleep(for: .milliseconds(700))
        try await cluster.stopOffloaded()
        let stoppedAt = log.count
        try await Task.sleep(for: .seconds(3))
        let ready = try await HTTPTestClient.request(port: api.port, "GET", "/readyz", timeout: .seconds(5))
        expectError(ready, 503, "unavailable")
        try await cluster.startOffloaded()
        let restartedAt = log.count
        // Full service again within a few seconds.
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, log.createdSince(restartedAt) < 20 { try await Task.sleep(for: .milliseconds(100)) }
        stop.set()
        try await senders.value

        let entries = log.entries
        #expect(entries[..<stoppedAt].contains { $0.status == 201 }, "no message went through before the stop")
        let whileDown = entries[stoppedAt..<restartedAt]
        #expect(whileDown.contains { $0.status == 503 }, "no 503 while the database was down")
        #expect(entries.allSatisfy { [201, 503].contains($0.status) }, "statuses: \(Set(entries.map(\.status)))")
        #expect(entries.filter { $0.status == 503 }.allSatisfy { $0.code == "unavailable" })
        #expect(entries.map(\.seconds).max() ?? 0 < 6, "a request took \(entries.map(\.seconds).max() ?? 0) s")
        #expect(log.createdSince(restartedAt) >= 20, "the service did not recover after the restart")
        #expect(try await HTTPTestClient.request(port: api.port, "GET", "/readyz").status == 200)

        // Nothing half-written: every 201 is stored exactly once, seqs have no gaps, and a 503
        // whose outcome was unknown is settled by retrying its client_id (200 or 201, once).
        for entry in entries where entry.status == 503 {
            let retry = try await call("POST", "/v1/conversations/\(conversation)/messages", token: entry.token,
                                       json: "{\"body\":\"\(entry.clientID)\",\"client_id\":\"\(entry.clientID)\"}")
            try expectStatus(retry, [200, 201])
        }
        let database = DatabaseProbe(url: cluster.url)
        let stored = try await database.rows("SELECT seq, client_id FROM chat.messages WHERE conversation_id = \(conversation)::uuid ORDER BY seq")
        #expect(stored.map { Int64($0["seq"]!!)! } == Array(1...Int64(stored.count)))
        #expect(try await database.scalar("SELECT last_seq FROM chat.conversations WHERE id = \(conversation)::uuid") == "\(stored.count)")
        let clientIDs = stored.map { $0["client_id"]!! }
        #expect(Set(clientIDs).count == clientIDs.count)
        #expect(Set(clientIDs) == Set(entries.map(\.clientID)))
        for entry in entries where entry.status == 201 {
            #expect(stored.contains { Int64($0["seq"]!!) == entry.message?.seq && $0["client_id"]!! == entry.clientID })
        }
        #expect(await api.stop() == 0)
    }
}

/// Tells the senders to stop.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}

/// What the senders saw, in order.
final class SendLog: Sendable {
    struct Entry: Sendable {
        var clientID: String
        var token: String
        var status: Int
        var code: String?
        var seconds: Double
        var message: Message?
    }

    private let storage = Mutex<[Entry]>([])

    func record(clientID: String, token: String, status: Int, code: String?, seconds: Double, message: Message?) {
        storage.withLock { $0.append(Entry(clientID: clientID, token: token, status: status, code: code, seconds: seconds, message: message)) }
    }

    var entries: [Entry] { storage.withLock { $0 } }
    var count: Int { storage.withLock { $0.count } }
    func createdSince(_ index: Int) -> Int { storage.withLock { $0.dropFirst(index).filter { $0.status == 201 }.count } }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
