import Foundation
import Models
import Testing
import TestSupport

/// The `chat-api` process: a missing or invalid setting stops it at start with ONE clear line
/// naming the setting; SIGTERM stops it gracefully with exit status 0.
@Suite
struct ProcessLifecycleTests {
    static let valid = [
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", "CHAT_SERVICE_KEY": "0123456789abcdef", "API_PORT": "0",
        "CHAT_ATTACHMENT_SECRET": "attachment-secret-for-tests-0123456789",
    ]

    static let refusals: [(String, String?)] = [
        ("DATABASE_URL", nil), ("DATABASE_URL", "  "), ("DATABASE_URL", "mysql://x"),
        ("CHAT_SERVICE_KEY", nil), ("CHAT_SERVICE_KEY", "short"),
        ("CHAT_ATTACHMENT_SECRET", nil), ("CHAT_ATTACHMENT_SECRET", "too-short-for-links"),
        ("API_PORT", "http"), ("API_PORT", "70000"), ("API_PORT", "-1"),
        ("BIND_HOST", "localhost"), ("BIND_HOST", "300.1.1.1"),
        ("DB_POOL_SIZE", "0"), ("DB_POOL_SIZE", "many"),
        ("DB_ACQUIRE_TIMEOUT_MS", "5"),
        ("SEND_RATE_PER_SECOND", "-1"), ("SEND_RATE_PER_SECOND", "fast"), ("SEND_BURST", "0"),
        ("GROUP_COMMIT_MAX_BATCH", "0"), ("GROUP_COMMIT_MAX_BATCH", "5000"), ("GROUP_COMMIT_WINDOW_MS", "-1"),
        ("UPLOAD_MAX_BYTES", "0"), ("UPLOAD_CONCURRENCY", "none"), ("UPLOAD_RATE_PER_MINUTE", "-1"), ("UPLOAD_BURST", "0"),
        ("SESSION_CACHE_MS", "5000"), ("CHAT_CORS_ORIGINS", "backoffice.example.com"), ("LOG_LEVEL", "loud"),
    ]

    @Test("a missing or invalid setting: exit 78 and one line naming it", arguments: 0..<refusals.count)
    func badSetting(index: Int) async throws {
        let (name, value) = Self.refusals[index]
        var environment = Self.valid
        environment[name] = value
        let (status, output) = try await ServiceProcess.runToExit("chat-api", environment: environment)
        #expect(status == 78, "\(name)=\(value ?? "<unset>"): \(output)")
        let lines = output.split(separator: "\n")
        #expect(lines.count == 1, "\(output)")
        #expect(lines.first?.hasPrefix("chat-api: invalid setting \(name)") == true, "\(output)")
        if name == "CHAT_SERVICE_KEY" || name == "CHAT_ATTACHMENT_SECRET", let value { #expect(!output.contains(value)) }
    }

    @Test("it starts while the database is down, answers 503 then, and SIGTERM exits 0")
    func startsWithoutDatabase() async throws {
        let service = try await ServiceProcess.start("chat-api", portVariable: "API_PORT", environment: Self.valid)
        expectError(try await HTTPTestClient.request(port: service.port, "GET", "/readyz"), 503, "unavailable")
        expectError(try await HTTPTestClient.request(port: service.port, "GET", "/v1/me", headers: [("Authorization", "Bearer \(String(repeating: "A", count: 43))")]),
                    503, "unavailable")
        let started = ContinuousClock.now
        #expect(await service.stop() == 0)
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("SIGTERM while sends are in flight: those taken are answered and stored, then the process exits 0")
    func gracefulShutdown() async throws {
        let api = try await APIHarness.start()
        let admin = try await api.user(.admin)
        let conversation = try await api.directChat(admin, try await api.user())
        let sends = Task {
            await withTaskGroup(of: (Int, Message?).self) { group in
                for n in 0..<40 {
                    group.addTask {
                        guard let response = try? await api.send(admin, conversation, "in flight \(n)") else { return (-1, nil) }
                        return (response.status, try? response.decode(Message.self))
                    }
                }
                return await group.reduce(into: [(Int, Message?)]()) { $0.append($1) }
            }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while try await api.database.scalar("SELECT count(*) FROM chat.messages") == "0", ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(2))
        }
        let stopped = ContinuousClock.now
        #expect(await api.service.stop() == 0)
        #expect(ContinuousClock.now - stopped < .seconds(10))
        let results = await sends.value
        // An answer is a real one (-1: no answer, sent after the listener closed).
        #expect(results.allSatisfy { [201, 503, -1].contains($0.0) }, "\(results.map(\.0))")
        let answered = results.compactMap(\.1)
        #expect(!answered.isEmpty)
        let stored = try await api.database.rows("SELECT id FROM chat.messages").compactMap { $0["id"].flatMap { $0 }.flatMap { Int64($0) } }
        #expect(Set(answered.map(\.id)).isSubset(of: Set(stored)))
        await api.database.dropOffloaded()
    }
}
