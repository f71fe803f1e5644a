import ChatStore
import Foundation
import Models
import Postgres
import Testing

@Suite("Sessions")
struct SessionsTests {
    @Test("mint stores only the token's SHA-256, and lookup finds the session and its user")
    func mintAndLookup() async throws {
        try await StoreFixture.with { fixture in
            try await fixture.pool.execute("""
                INSERT INTO chat.users (id, name, email, avatar_url, role) VALUES ('u1', 'Ada', 'ada@example.com', 'https://x/a.png', 'admin')
                """)
            let sessions = Sessions(pool: fixture.pool)
            let minted = try await sessions.mint(userID: "u1")
            #expect(minted.token.count == 43)
            #expect(minted.token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
            #expect(abs(minted.expiresAt.timeIntervalSinceNow - 86_400) < 30)

            let stored = try await fixture.pool.query("SELECT token_hash FROM chat.sessions")[0].decode("token_hash", as: Data.self)
            #expect([UInt8](stored) == SHA256.hash(minted.token))

            let found = try #require(try await sessions.lookup(token: minted.token))
            #expect(found.sessionID == minted.sessionID)
            #expect(found.user == User(id: "u1", name: "Ada", email: "ada@example.com", avatarURL: "https://x/a.png", role: .admin, active: true))
            #expect(abs(found.expiresAt.timeIntervalSince(minted.expiresAt)) < 0.001)

            let other = try await sessions.mint(userID: "u1", ttl: 60)
            #expect(other.token != minted.token)
            #expect(abs(other.expiresAt.timeIntervalSinceNow - 60) < 30)
        }
    }

    @Test("unknown, malformed, expired and revoked tokens, and inactive users, do not authenticate")
    func refusals() async throws {
        try await StoreFixture.with { fixture in
            try await fixture.user("u1")
            try await fixture.user("u2")
            let sessions = Sessions(pool: fixture.pool)
            let unknown = String(repeating: "A", count: 43)
            for token in ["", "short", unknown, String(repeating: "!", count: 43), "a\u{0}b"] {
                #expect(try await sessions.lookup(token: token) == nil, "\(token)")
            }

            let expiring = try await sessions.mint(userID: "u1")
            try await fixture.pool.execute("""
                UPDATE chat.sessions SET created_at = now() - interval '2 hours', expires_at = now() - interval '1 second'
                 WHERE id = \(expiring.sessionID)
                """)
            #expect(try await sessions.lookup(token: expiring.token) == nil)

            let revoked = try await sessions.mint(userID: "u1")
            #expect(try await sessions.revoke(token: revoked.token))
            #expect(try await sessions.lookup(token: revoked.token) == nil)
            #expect(try await !sessions.revoke(token: revoked.token), "already revoked")

            let byID = try await sessions.mint(userID: "u1")
            #expect(try await sessions.revoke(sessionID: byID.sessionID))
            #expect(try await sessions.lookup(token: byID.token) == nil)

            let deactivated = try await sessions.mint(userID: "u2")
            try await fixture.pool.execute("UPDATE chat.users SET active = false WHERE id = 'u2'")
            #expect(try await sessions.lookup(token: deactivated.token) == nil)
            try await fixture.pool.execute("UPDATE chat.users SET active = true WHERE id = 'u2'")
            #expect(try await sessions.lookup(token: deactivated.token) != nil, "reactivation restores unexpired sessions")
        }
    }

    @Test("mint refuses unknown and inactive users and lifetimes outside 60...2592000 s")
    func mintRefusals() async throws {
        try await StoreFixture.with { fixture in
            try await fixture.user("u1")
            try await fixture.user("gone", active: false)
            let sessions = Sessions(pool: fixture.pool)
            await #expect(throws: ChatStoreError.unknownUser("nobody")) { try await sessions.mint(userID: "nobody") }
            await #expect(throws: ChatStoreError.unknownUser("bad id")) { try await sessions.mint(userID: "bad id") }
            await #expect(throws: ChatStoreError.inactiveUser("gone")) { try await sessions.mint(userID: "gone") }
            await #expect(throws: ChatStoreError.invalidTTL(59)) { try await sessions.mint(userID: "u1", ttl: 59) }
            await #expect(throws: ChatStoreError.invalidTTL(2_592_001)) { try await sessions.mint(userID: "u1", ttl: 2_592_001) }
            _ = try await sessions.mint(userID: "u1", ttl: 2_592_000)
            #expect(try await fixture.count("chat.sessions") == 1)
        }
    }
}
