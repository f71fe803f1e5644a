import ChatStore
import Foundation
import Models
import Synchronization
import Testing

@Suite struct SessionCacheTests {
    static func session(_ id: Int64, user: String) -> AuthenticatedSession {
        AuthenticatedSession(sessionID: id, user: User(id: user, name: user, email: "\(user)@example.com", avatarURL: nil, role: .member, active: true),
                             expiresAt: Date().addingTimeInterval(3600))
    }

    @Test("a lookup runs once while its answer is cached; unknown tokens are looked up every time")
    func looksUpOnce() async {
        let cache = SessionCache(ttl: .seconds(60))
        let lookups = Mutex(0)
        for _ in 1...3 {
            let found = await cache.session(for: "t1") { lookups.withLock { $0 += 1 }; return Self.session(1, user: "ada") }
            #expect(found?.sessionID == 1)
        }
        #expect(lookups.withLock { $0 } == 1)
        for _ in 1...2 { #expect(await cache.session(for: "nope") { lookups.withLock { $0 += 1 }; return nil } == nil) }
        #expect(lookups.withLock { $0 } == 3)
    }

    @Test("forgetting a session or a user drops exactly their entries")
    func forgets() {
        let cache = SessionCache(ttl: .seconds(60))
        cache.store(Self.session(1, user: "ada"), for: "a1")
        cache.store(Self.session(2, user: "ada"), for: "a2")
        cache.store(Self.session(3, user: "bob"), for: "b3")
        cache.forget(session: 1)
        #expect(cache.session(for: "a1") == nil)
        #expect(cache.session(for: "a2")?.sessionID == 2)
        cache.forget(user: "ada")
        #expect(cache.session(for: "a2") == nil)
        #expect(cache.session(for: "b3")?.sessionID == 3)
    }
}
