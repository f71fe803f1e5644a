import Foundation
import Models

/// Who a session token belongs to, as `ChatStore.Sessions.lookup` answered.
struct SessionIdentity: Sendable, Equatable {
    var sessionID: Int64
    var user: User
    /// When the session stops working: its streams are closed then.
    var expiresAt: Date

    var viewer: Viewer { Viewer(id: user.id, role: user.role) }
}
