import Models

/// Who may see one conversation, apart from admins: a direct chat's two participants, or a
/// circle's current members (admins see every circle chat and are routed separately).
struct Audience: Sendable, Equatable {
    var kind: ConversationKind
    var members: Set<String>

    /// What an unknown (deleted) conversation routes to: nobody.
    static let nobody = Audience(kind: .direct, members: [])
}
