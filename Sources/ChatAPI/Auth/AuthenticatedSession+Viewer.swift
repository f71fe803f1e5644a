import ChatStore
import Models

extension AuthenticatedSession {
    /// The caller as the conversation rules see them.
    var viewer: Viewer { Viewer(id: user.id, role: user.role) }
}
