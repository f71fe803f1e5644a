import Foundation
import Testing
import TestSupport

/// A burst of sends from one user beyond the configured rate gets 429 with `Retry-After`.
/// (Refilling at the configured rate is covered by the limiter's unit test, which needs no clock.)
@Suite(.chatAPI(["SEND_RATE_PER_SECOND": "0.2", "SEND_BURST": "3"]))
struct RateLimitTests {
    @Test("a burst beyond SEND_BURST is 429 with Retry-After and stores nothing; other users are not affected")
    func burst() async throws {
        let api = try harness()
        let admin = try await api.user(.admin)
        let user = try await api.user()
        let conversation = try await api.directChat(admin, user)
        let responses = try await withThrowingTaskGroup(of: HTTPTestResponse.self) { group in
            for n in 0..<8 { group.addTask { try await api.send(user, conversation, "burst \(n)") } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let created = responses.filter { $0.status == 201 }.count
        #expect((3...4).contains(created), "\(responses.map(\.status))")  // the burst, and a refill if the run is slow
        for limited in responses where limited.status != 201 {
            expectError(limited, 429, "rate_limited")
            let retryAfter = try #require(Int(limited.header("Retry-After") ?? ""))
            #expect((1...5).contains(retryAfter))
        }
        try expectStatus(try await api.send(admin, conversation, "the admin still sends"), 201)
        #expect(try await api.database.scalar("SELECT count(*) FROM chat.messages WHERE conversation_id = \(conversation)::uuid") == "\(created + 1)")
    }
}
