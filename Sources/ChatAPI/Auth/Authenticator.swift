import ChatStore
import HTTP
import Postgres

/// Turns `Authorization: Bearer ...` into a `Caller`: the service key (constant-time
/// comparison), or a session token looked up by its SHA-256 (`ChatStore.Sessions`) and cached
/// briefly (`SessionCache`). 401 for a missing, unknown, expired or revoked credential and for
/// a deactivated user.
struct Authenticator: Sendable {
    let serviceKey: ServiceKey
    let cache: SessionCache
    let database: Database

    func caller(of request: HTTPRequest) async throws -> Caller {
        guard let token = request.bearerToken else {
            throw APIError.unauthorized("missing credential: send Authorization: Bearer <token>")
        }
        if serviceKey.matches(token) { return .service }
        let session = try await cache.session(for: token) {
            try await database.run { connection in try Sessions.lookup(token: token, on: connection) }
        }
        guard let session else { throw APIError.unauthorized("unknown, expired or revoked credential") }
        return .user(session)
    }

    /// Ends the session of `token` now: revoked in the database (other replicas and the
    /// gateways follow within seconds) and forgotten by this replica's cache at once.
    func revoke(_ session: AuthenticatedSession, token: String) async throws {
        cache.remove(token)
        _ = try await database.run { connection in try Sessions.revoke(sessionID: session.sessionID, on: connection) }
        cache.remove(token)
    }

    /// Mints a session for an active user (service key). 404 for an unknown user, 422 for an
    /// inactive one.
    func mint(userID: String, ttlSeconds: Int) async throws -> MintedSession {
        do {
            return try await database.run { connection in try Sessions.mint(userID: userID, ttl: ttlSeconds, on: connection) }
        } catch let error as ChatStoreError {
            switch error {
            case .unknownUser: throw APIError.notFound("no user has this id")
            case .inactiveUser: throw APIError.invalid("user_id", "this user is inactive")
            case .invalidTTL: throw APIError.invalid("ttl_seconds", "ttl_seconds must be from \(Sessions.ttlRange.lowerBound) to \(Sessions.ttlRange.upperBound)")
            default: throw error
            }
        }
    }
}
