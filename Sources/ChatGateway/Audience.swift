import Models

/// Who may see one conversation, apart from admins: a direct chat's two participants, or a
/// circle's current members (`chat.conversation_members`; admins see every circle chat and are
/// routed separately).
struct Audience: Sendable, Equatable {
    var kind: ConversationKind
    var members: Set<String>

    /// What an unknown (deleted) conversation routes to: nobody.
    static let nobody = Audience(kind: .direct, members: [])

    /// The gateway's copy of the access rule, `chat.visible_conversations` in the schema
    /// (docs/schema.md, "Who sees what"): a member, or an admin for a circle chat. A test
    /// keeps the two in agreement on a generated population.
    func admits(_ user: String, isAdmin: Bool) -> Bool {
        members.contains(user) || (isAdmin && kind == .circle)
    }
}
