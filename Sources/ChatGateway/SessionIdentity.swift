import Models

/// Who a session token belongs to, as `ChatStore.Sessions.lookup` answered.
struct SessionIdentity: Sendable, Equatable {
    var sessionID: Int64
    var user: User

    var viewer: Viewer { Viewer(id: user.id, role: user.role) }
}
