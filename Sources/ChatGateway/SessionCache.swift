import Foundation
import Synchronization

/// Session lookups remembered for a short time (`ttl`, 2 s by default), so a burst of
/// reconnects costs one database read per token. Entries are also dropped at once when
/// `chat.events` reports the session revoked or the user changed (`forget`), so a revoked
/// token cannot open a new stream on this replica even inside the `ttl`.
///
/// Unknown tokens are not remembered: each costs a read (the pool bounds the concurrency).
final class SessionCache: Sendable {
    typealias Lookup = @Sendable (_ token: String) async throws -> SessionIdentity?

    private struct Entry {
        var identity: SessionIdentity
        var expires: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let lookup: Lookup
    private let ttl: Duration
    /// Past this many entries, expired ones are swept on insert (a bound on memory).
    private let sweepThreshold = 10_000

    init(ttl: Duration, lookup: @escaping Lookup) {
        self.ttl = ttl
        self.lookup = lookup
    }

    /// The identity behind `token`, from the cache or the database; nil for an unknown,
    /// expired or revoked token or an inactive user.
    func identity(for token: String) async throws -> SessionIdentity? {
        let now = ContinuousClock.now
        if let cached = entries.withLock({ $0[token] }), cached.expires > now, cached.identity.expiresAt > Date() {
            return cached.identity
        }
        guard let identity = try await lookup(token) else {
            entries.withLock { _ = $0.removeValue(forKey: token) }
            return nil
        }
        let expires = ContinuousClock.now + ttl
        entries.withLock { entries in
            if entries.count >= sweepThreshold { entries = entries.filter { $0.value.expires > now } }
            entries[token] = Entry(identity: identity, expires: expires)
        }
        return identity
    }

    /// Drops every cached lookup of `sessionID` (revoked).
    func forget(session sessionID: Int64) {
        entries.withLock { $0 = $0.filter { $0.value.identity.sessionID != sessionID } }
    }

    /// Drops every cached lookup of `userID` (deactivated, or the role changed).
    func forget(user userID: String) {
        entries.withLock { $0 = $0.filter { $0.value.identity.user.id != userID } }
    }
}
