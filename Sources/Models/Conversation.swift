/// A conversation as the database describes it to everyone alike (`chat.conversation_json`):
/// no viewer-dependent fields. `render(for:state:)` turns it into what one viewer sees.
public struct ConversationSnapshot: Codable, Sendable, Equatable {
    public var id: String
    public var kind: ConversationKind
    public var customTitle: String?
    public var circle: CircleRef?
    /// Both participants of a direct chat; empty for a circle chat.
    public var participants: [Peer]
    public var memberCount: Int
    public var sendPolicy: SendPolicy
    public var createdAt: String
    public var lastActivityAt: String
    public var lastMessage: LastMessage?

    public init(id: String, kind: ConversationKind, customTitle: String?, circle: CircleRef?, participants: [Peer],
                memberCount: Int, sendPolicy: SendPolicy, createdAt: String, lastActivityAt: String, lastMessage: LastMessage?) {
        self.id = id
        self.kind = kind
        self.customTitle = customTitle
        self.circle = circle
        self.participants = participants
        self.memberCount = memberCount
        self.sendPolicy = sendPolicy
        self.createdAt = createdAt
        self.lastActivityAt = lastActivityAt
        self.lastMessage = lastMessage
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, customTitle = "custom_title", circle, participants, memberCount = "member_count",
             sendPolicy = "send_policy", createdAt = "created_at", lastActivityAt = "last_activity_at",
             lastMessage = "last_message"
    }

    /// What `viewer` sees. `state` carries the per-viewer fields (API responses); nil leaves
    /// them out (stream events: docs/api.md's `conversation.*` data has no per-user fields).
    public func render(for viewer: Viewer, state: ViewerState? = nil) -> ConversationView {
        let peer = kind == .direct ? (participants.first { $0.id != viewer.id } ?? participants.first) : nil
        let title: String
        switch kind {
        case .direct: title = peer?.name ?? ""
        case .circle: title = customTitle ?? circle?.name ?? ""
        }
        return ConversationView(
            id: id, kind: kind, title: title, customTitle: customTitle, peer: peer, circle: circle,
            memberCount: memberCount, sendPolicy: sendPolicy, createdAt: createdAt, lastActivityAt: lastActivityAt,
            lastMessage: lastMessage,
            perViewer: state.map {
                .init(canSend: canSend(viewer), unreadCount: $0.unreadCount, lastReadSeq: $0.lastReadSeq,
                      unreadMentions: $0.unreadMentions, muted: $0.muted, peerLastReadSeq: kind == .direct ? $0.peerLastReadSeq : nil)
            })
    }

    /// docs/api.md: admins may send anywhere they can see; members unless the chat is `admins_only`.
    public func canSend(_ viewer: Viewer) -> Bool {
        viewer.role == .admin || kind == .direct || sendPolicy == .allMembers
    }
}

/// Who is looking.
public struct Viewer: Sendable, Equatable, Hashable {
    public var id: String
    public var role: Role
    public var isAdmin: Bool { role == .admin }
    public init(id: String, role: Role) {
        self.id = id
        self.role = role
    }
}

/// The viewer's state in one conversation: read marker, counts, mute, and in a direct chat
/// the other participant's marker ("Seen").
public struct ViewerState: Sendable, Equatable {
    public var unreadCount: Int
    public var lastReadSeq: Int64
    public var unreadMentions: Int
    public var muted: Bool
    public var peerLastReadSeq: Int64
    public init(unreadCount: Int, lastReadSeq: Int64, unreadMentions: Int = 0, muted: Bool = false, peerLastReadSeq: Int64 = 0) {
        self.unreadCount = unreadCount
        self.lastReadSeq = lastReadSeq
        self.unreadMentions = unreadMentions
        self.muted = muted
        self.peerLastReadSeq = peerLastReadSeq
    }
}

/// A conversation as one viewer sees it (docs/api.md's Conversation object). Without `perViewer`
/// it is the stream's form, which leaves out `can_send`, `unread_count`, `last_read_seq`,
/// `unread_mentions`, `muted` and `peer_last_read_seq`.
public struct ConversationView: Encodable, Sendable, Equatable {
    public struct PerViewer: Sendable, Equatable {
        public var canSend: Bool
        public var unreadCount: Int
        public var lastReadSeq: Int64
        public var unreadMentions: Int
        public var muted: Bool
        /// Direct chats only; null for circle chats.
        public var peerLastReadSeq: Int64?
    }

    public var id: String
    public var kind: ConversationKind
    public var title: String
    public var customTitle: String?
    public var peer: Peer?
    public var circle: CircleRef?
    public var memberCount: Int
    public var sendPolicy: SendPolicy
    public var createdAt: String
    public var lastActivityAt: String
    public var lastMessage: LastMessage?
    public var perViewer: PerViewer?

    enum CodingKeys: String, CodingKey {
        case id, kind, title, customTitle = "custom_title", peer, circle, memberCount = "member_count",
             sendPolicy = "send_policy", canSend = "can_send", createdAt = "created_at",
             lastActivityAt = "last_activity_at", lastMessage = "last_message",
             unreadCount = "unread_count", lastReadSeq = "last_read_seq", unreadMentions = "unread_mentions", muted,
             peerLastReadSeq = "peer_last_read_seq"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(kind, forKey: .kind)
        try c.encode(title, forKey: .title)
        try c.encode(customTitle, forKey: .customTitle)
        try c.encode(peer, forKey: .peer)
        try c.encode(circle, forKey: .circle)
        try c.encode(memberCount, forKey: .memberCount)
        try c.encode(sendPolicy, forKey: .sendPolicy)
        if let perViewer { try c.encode(perViewer.canSend, forKey: .canSend) }
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(lastActivityAt, forKey: .lastActivityAt)
        try c.encode(lastMessage, forKey: .lastMessage)
        if let perViewer {
            try c.encode(perViewer.unreadCount, forKey: .unreadCount)
            try c.encode(perViewer.lastReadSeq, forKey: .lastReadSeq)
            try c.encode(perViewer.unreadMentions, forKey: .unreadMentions)
            try c.encode(perViewer.muted, forKey: .muted)
            try c.encode(perViewer.peerLastReadSeq, forKey: .peerLastReadSeq)  // null for circle chats
        }
    }
}
