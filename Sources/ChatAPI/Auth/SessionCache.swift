import ChatStore
import Foundation
import Synchronization

/// Sessions recently looked up, trusted for a short time so that most requests cost no
/// database round trip for authentication.
///
/// The time to live (at most 2 s) bounds how long a change made elsewhere goes unnoticed: a
/// token revoked through another replica, an expired session or a deactivated user stops
/// working within it (API.md asks for 3 s). A revocation through this replica removes the
/// entry at once. Unknown tokens are never cached, so a token minted a moment ago works at once.
final class SessionCache: Sendable {
    private struct Entry {
        let session: AuthenticatedSession
        let expiresAt: ContinuousClock.Instant
    }

    private let ttl: Duration
    private let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])

    init(ttl: Duration, capacity: Int = 50_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    /// `now` is injectable so tests need not sleep.
    func session(for token: String, now: ContinuousClock.Instant = .now) -> AuthenticatedSession? {
        entries.withLock { entries in
            guard let entry = entries[token] else { return nil }
            guard entry.expiresAt > now else {
                entries[token] = nil
                return nil
            }
            return entry.session
        }
    }

    func store(_ session: AuthenticatedSession, for token: String, now: ContinuousClock.Instant = .now) {
        guard ttl > .zero else { return }
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value.expiresAt > now }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            // Never past the session's own expiry.
            let remaining = Duration.milliseconds(Int64(max(0, session.expiresAt.timeIntervalSinceNow) * 1000))
            entries[token] = Entry(session: session, expiresAt: now + min(ttl, remaining))
        }
    }

    func remove(_ token: String) {
        _ = entries.withLock { $0.removeValue(forKey: token) }
    }
}
