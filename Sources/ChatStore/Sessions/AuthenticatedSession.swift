import Foundation
import Models

/// A token that authenticates right now: its session and the user behind it.
public struct AuthenticatedSession: Sendable, Equatable {
    /// `chat.sessions.id`: what `session.revoked` events name, and what to revoke on logout.
    public var sessionID: Int64
    /// The user, as the API shows it (always `active`: inactive users do not authenticate).
    public var user: User
    /// When the session stops working; a cache must not keep it past this.
    public var expiresAt: Date

    public init(sessionID: Int64, user: User, expiresAt: Date) {
        self.sessionID = sessionID
        self.user = user
        self.expiresAt = expiresAt
    }

    /// Who is looking, for the permission and rendering rules of `Models`.
    public var viewer: Viewer { Viewer(id: user.id, role: user.role) }
}
