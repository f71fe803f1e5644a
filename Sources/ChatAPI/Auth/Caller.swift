import ChatStore
import HTTP
import Models

/// Who is calling: the backoffice's server (service key) or a user (session token).
enum Caller: Sendable {
    case service
    case user(AuthenticatedSession)

    /// Service endpoints: a user token is authenticated but not allowed (403).
    func requireService() throws(APIError) {
        guard case .service = self else { throw APIError.forbidden("this endpoint needs the service key") }
    }

    /// User endpoints: the service key is not a user (403).
    func requireUser() throws(APIError) -> AuthenticatedSession {
        guard case .user(let session) = self else { throw APIError.forbidden("this endpoint needs a user session token") }
        return session
    }

    /// Admin endpoints: a member is authenticated but not allowed (403).
    func requireAdmin() throws(APIError) -> AuthenticatedSession {
        let session = try requireUser()
        guard session.user.role == .admin else { throw APIError.forbidden("this endpoint is for admins") }
        return session
    }
}
