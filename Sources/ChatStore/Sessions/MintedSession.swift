import Foundation

/// A new session, as `POST /v1/sessions` answers it. `token` is the only copy of the secret:
/// hand it to the user and forget it.
public struct MintedSession: Sendable, Equatable {
    /// `chat.sessions.id` (not a secret).
    public var sessionID: Int64
    /// Whose session.
    public var userID: String
    /// The bearer token (43 characters, base64url).
    public var token: String
    /// When it stops working.
    public var expiresAt: Date

    public init(sessionID: Int64, userID: String, token: String, expiresAt: Date) {
        self.sessionID = sessionID
        self.userID = userID
        self.token = token
        self.expiresAt = expiresAt
    }
}
