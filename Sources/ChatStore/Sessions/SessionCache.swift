import Foundation
import Synchronization

/// Sessions recently looked up, trusted for a short time so that most requests (and stream
/// reconnects) cost no database round trip for authentication. Shared by chat-api and
/// chat-gateway.
///
/// The time to live (at most 2 s) bounds how long a change made elsewhere goes unnoticed: a
/// token revoked through another replica, an expired session or a deactivated user stops
/// working within it (docs/api.md asks for 3 s). Revocations this process learns of (its own
/// logout, or `chat.events` in the gateway) drop entries at once. Unknown tokens are never
/// cached, so a token minted a moment ago works at once. An entry never outlives its session.
public final class SessionCache: Sendable {
    private struct Entry {
        let session: AuthenticatedSession
        let expiresAt: ContinuousClock.Instant
    }

    private let ttl: Duration
    private let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])

    public init(ttl: Duration, capacity: Int = 50_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    /// The session behind `token`: from the cache, or from `lookup` (then remembered). Nil for
    /// an unknown, expired or revoked token or an inactive user (as `lookup` says).
    public func session(for token: String, lookup: () async throws -> AuthenticatedSession?) async rethrows -> AuthenticatedSession? {
        if let cached = session(for: token) { return cached }
        guard let session = try await lookup() else { return nil }
        store(session, for: token)
        return session
    }

    /// `now` is injectable so tests need not sleep.
    public func session(for token: String, now: ContinuousClock.Instant = .now) -> AuthenticatedSession? {
        entries.withLock { entries in
            guard let entry = entries[token] else { return nil }
            guard entry.expiresAt > now else {
                entries[token] = nil
                return nil
            }
            return entry.session
        }
    }

    public func store(_ session: AuthenticatedSession, for token: String, now: ContinuousClock.Instant = .now) {
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

    /// Drops the entry of `token` (logged out here).
    public func remove(_ token: String) {
        _ = entries.withLock { $0.removeValue(forKey: token) }
    }

    /// Drops every entry of session `sessionID` (revoked elsewhere).
    public func forget(session sessionID: Int64) {
        entries.withLock { $0 = $0.filter { $0.value.session.sessionID != sessionID } }
    }

    /// Drops every entry of user `userID` (deactivated, or the role changed).
    public func forget(user userID: String) {
        entries.withLock { $0 = $0.filter { $0.value.session.user.id != userID } }
    }
}
