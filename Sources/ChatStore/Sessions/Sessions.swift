import Foundation
import Models
import Postgres

/// User sessions: mint, look up, revoke. The token is never stored, only its SHA-256
/// (`chat.sessions.token_hash`), so a leaked database does not leak working credentials.
///
/// The instance methods borrow a connection from `pool`; the static ones run on a connection the
/// caller owns (inside its transaction, or in `chatctl`).
///
/// ```swift
/// let sessions = Sessions(pool: pool)
/// let minted = try await sessions.mint(userID: "u1", ttl: 3600)
/// let current = try await sessions.lookup(token: minted.token)   // nil once revoked or expired
/// ```
public struct Sessions: Sendable {
    /// The lifetime when none is asked for: one day.
    public static let defaultTTL = 86_400
    /// Allowed lifetimes in seconds: one minute to 30 days (docs/api.md, `ttl_seconds`).
    public static let ttlRange = 60...2_592_000

    public let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Mints a session for an active user. See `Sessions.mint(userID:ttl:on:)`.
    public func mint(userID: String, ttl: Int = Sessions.defaultTTL) async throws -> MintedSession {
        try await pool.withConnection { connection in try Sessions.mint(userID: userID, ttl: ttl, on: connection) }
    }

    /// The session behind `token`. See `Sessions.lookup(token:on:)`.
    public func lookup(token: String) async throws -> AuthenticatedSession? {
        try await pool.withConnection { connection in try Sessions.lookup(token: token, on: connection) }
    }

    /// Revokes the session behind `token`. See `Sessions.revoke(token:on:)`.
    @discardableResult
    public func revoke(token: String) async throws -> Bool {
        try await pool.withConnection { connection in try Sessions.revoke(token: token, on: connection) }
    }

    /// Revokes a session by id. See `Sessions.revoke(sessionID:on:)`.
    @discardableResult
    public func revoke(sessionID: Int64) async throws -> Bool {
        try await pool.withConnection { connection in try Sessions.revoke(sessionID: sessionID, on: connection) }
    }

    /// Mints a session: a fresh token whose hash is stored with `expires_at = now() + ttl`.
    ///
    /// - Throws: `ChatStoreError.invalidTTL` outside `ttlRange`; `.unknownUser` for an id that is
    ///   not a user (or not a valid id); `.inactiveUser` for a deactivated user; `PostgresError`.
    public static func mint(userID: String, ttl: Int = defaultTTL, on connection: PostgresConnection) throws -> MintedSession {
        guard ttlRange.contains(ttl) else { throw ChatStoreError.invalidTTL(ttl) }
        guard ExternalID.isValid(userID) else { throw ChatStoreError.unknownUser(userID) }
        let token = SessionToken.generate()
        let rows = try connection.query("""
            WITH target AS (
                SELECT id, active FROM chat.users WHERE id = \(userID)
            ), inserted AS (
                INSERT INTO chat.sessions (user_id, token_hash, expires_at)
                SELECT id, \(SessionToken.hash(token)), now() + make_interval(secs => \(ttl))
                  FROM target WHERE active
                RETURNING id, expires_at
            )
            SELECT t.active, i.id, i.expires_at FROM target t LEFT JOIN inserted i ON true
            """)
        guard let row = rows.first else { throw ChatStoreError.unknownUser(userID) }
        guard try row.decode("active", as: Bool.self),
              let sessionID = try row.decode("id", as: Int64?.self),
              let expiresAt = try row.decode("expires_at", as: Date?.self)
        else { throw ChatStoreError.inactiveUser(userID) }
        return MintedSession(sessionID: sessionID, userID: userID, token: token, expiresAt: expiresAt)
    }

    /// The session behind `token` and its user, or nil when the token is malformed, unknown,
    /// expired or revoked, or its user is inactive. A malformed token costs no query.
    public static func lookup(token: String, on connection: PostgresConnection) throws -> AuthenticatedSession? {
        guard SessionToken.isWellFormed(token) else { return nil }
        let rows = try connection.query("""
            SELECT s.id AS session_id, s.expires_at, u.id, u.name, u.email, u.avatar_url, u.role, u.active
              FROM chat.sessions s
              JOIN chat.users u ON u.id = s.user_id
             WHERE s.token_hash = \(SessionToken.hash(token))
               AND s.revoked_at IS NULL
               AND s.expires_at > now()
               AND u.active
            """)
        guard let row = rows.first else { return nil }
        let roleText = try row.decode("role", as: String.self)
        guard let role = Role(rawValue: roleText) else {
            throw PostgresError(.decoding, "chat.users.role holds an unknown role \(roleText)")
        }
        let user = User(
            id: try row.decode("id"), name: try row.decode("name"), email: try row.decode("email"),
            avatarURL: try row.decode("avatar_url"), role: role, active: try row.decode("active"))
        return AuthenticatedSession(
            sessionID: try row.decode("session_id"), user: user, expiresAt: try row.decode("expires_at"))
    }

    /// Revokes the session behind `token` (its open streams close: `session.revoked`).
    /// - Returns: false when there was nothing to revoke (unknown, malformed or already revoked).
    @discardableResult
    public static func revoke(token: String, on connection: PostgresConnection) throws -> Bool {
        guard SessionToken.isWellFormed(token) else { return false }
        return try connection.execute("""
            UPDATE chat.sessions SET revoked_at = now()
             WHERE token_hash = \(SessionToken.hash(token)) AND revoked_at IS NULL
            """) > 0
    }

    /// Revokes a session by id, as `DELETE /v1/sessions/current` does after a lookup.
    /// - Returns: false when there was nothing to revoke.
    @discardableResult
    public static func revoke(sessionID: Int64, on connection: PostgresConnection) throws -> Bool {
        try connection.execute("""
            UPDATE chat.sessions SET revoked_at = now() WHERE id = \(sessionID) AND revoked_at IS NULL
            """) > 0
    }
}
