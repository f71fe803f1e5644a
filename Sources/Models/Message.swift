/// A message (API.md, "Message" and "Messages: edit, delete, reply, react, system messages"):
/// `{"id", "conversation_id", "seq", "kind", "sender", "body", "client_id", "created_at",
/// "edited_at", "deleted", "reply_to", "reactions", "system", "mentions", "attachments"}`.
/// Timestamps are kept as the RFC 3339 text the database formatted (`chat.rfc3339`); the
/// database builds the same object as `chat.message_json` for the stream and the reads.
public struct Message: Codable, Sendable, Equatable {
    public var id: Int64
    public var conversationID: String
    public var seq: Int64
    public var kind: MessageKind
    /// Nil for system messages.
    public var sender: Sender?
    /// `""` once deleted.
    public var body: String
    public var clientID: String?
    public var createdAt: String
    public var editedAt: String?
    public var deleted: Bool
    public var replyTo: QuotedMessage?
    /// By each emoji's first use.
    public var reactions: [ReactionCount]
    /// The facts of a system message; nil on user messages.
    public var system: SystemFacts?
    /// The users the sender mentioned, in the order given (none once deleted).
    public var mentions: [UserRef]
    /// In the order sent; `url` set per reader in API answers, absent in stream events.
    public var attachments: [Attachment]

    public init(id: Int64, conversationID: String, seq: Int64, kind: MessageKind = .user, sender: Sender?, body: String,
                clientID: String?, createdAt: String, editedAt: String? = nil, deleted: Bool = false,
                replyTo: QuotedMessage? = nil, reactions: [ReactionCount] = [], system: SystemFacts? = nil,
                mentions: [UserRef] = [], attachments: [Attachment] = []) {
        self.id = id
        self.conversationID = conversationID
        self.seq = seq
        self.kind = kind
        self.sender = sender
        self.body = body
        self.clientID = clientID
        self.createdAt = createdAt
        self.editedAt = editedAt
        self.deleted = deleted
        self.replyTo = replyTo
        self.reactions = reactions
        self.system = system
        self.mentions = mentions
        self.attachments = attachments
    }

    enum CodingKeys: String, CodingKey {
        case id, conversationID = "conversation_id", seq, kind, sender, body, clientID = "client_id", createdAt = "created_at",
             editedAt = "edited_at", deleted, replyTo = "reply_to", reactions, system, mentions, attachments
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(Int64.self, forKey: .id), conversationID: try c.decode(String.self, forKey: .conversationID),
            seq: try c.decode(Int64.self, forKey: .seq), kind: try c.decode(MessageKind.self, forKey: .kind),
            sender: try c.decode(Sender?.self, forKey: .sender), body: try c.decode(String.self, forKey: .body),
            clientID: try c.decode(String?.self, forKey: .clientID), createdAt: try c.decode(String.self, forKey: .createdAt),
            editedAt: try c.decode(String?.self, forKey: .editedAt), deleted: try c.decode(Bool.self, forKey: .deleted),
            replyTo: try c.decode(QuotedMessage?.self, forKey: .replyTo),
            reactions: try c.decode([ReactionCount].self, forKey: .reactions),
            system: try c.decode(SystemFacts?.self, forKey: .system),
            mentions: try c.decode([UserRef].self, forKey: .mentions),
            attachments: try c.decode([Attachment].self, forKey: .attachments))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(conversationID, forKey: .conversationID)
        try c.encode(seq, forKey: .seq)
        try c.encode(kind, forKey: .kind)
        try c.encode(sender, forKey: .sender)
        try c.encode(body, forKey: .body)
        try c.encode(clientID, forKey: .clientID)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(editedAt, forKey: .editedAt)
        try c.encode(deleted, forKey: .deleted)
        try c.encode(replyTo, forKey: .replyTo)
        try c.encode(reactions, forKey: .reactions)
        try c.encode(system, forKey: .system)
        try c.encode(mentions, forKey: .mentions)
        try c.encode(attachments, forKey: .attachments)
    }
}

/// `user` (sent by a person) or `system` (written by the server into the timeline).
public enum MessageKind: String, Codable, Sendable {
    case user, system
}

/// A person as quotes, system messages and mentions name them: `{"id", "name"}`.
public struct UserRef: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

/// `reply_to`: the quoted message as it is now, `{"id", "seq", "sender", "body_preview",
/// "deleted"}` (a deleted one has `body_preview` `""`).
public struct QuotedMessage: Codable, Sendable, Equatable {
    public var id: Int64
    public var seq: Int64
    public var sender: UserRef?
    public var bodyPreview: String
    public var deleted: Bool

    public init(id: Int64, seq: Int64, sender: UserRef?, bodyPreview: String, deleted: Bool) {
        self.id = id
        self.seq = seq
        self.sender = sender
        self.bodyPreview = bodyPreview
        self.deleted = deleted
    }

    enum CodingKeys: String, CodingKey { case id, seq, sender, bodyPreview = "body_preview", deleted }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(seq, forKey: .seq)
        try c.encode(sender, forKey: .sender)
        try c.encode(bodyPreview, forKey: .bodyPreview)
        try c.encode(deleted, forKey: .deleted)
    }
}

/// One emoji's reactions on a message: `{"emoji", "count", "me"}`; `me` (did the reader react)
/// only in API answers, never in stream events (one payload serves everyone).
public struct ReactionCount: Codable, Sendable, Equatable {
    public var emoji: String
    public var count: Int
    public var me: Bool?

    public init(emoji: String, count: Int, me: Bool?) {
        self.emoji = emoji
        self.count = count
        self.me = me
    }
}

/// What a system message records: `{"type", "actor"?, "users"?, "count"?, "title"?,
/// "send_policy"?}` (absent keys are left out, as the database writes them).
public struct SystemFacts: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case chatCreated = "chat_created", titleChanged = "title_changed", policyChanged = "policy_changed"
        case membersAdded = "members_added", membersRemoved = "members_removed"
    }

    public var type: Kind
    public var actor: UserRef?
    /// At most 50 of the users added or removed; `count` is how many in all.
    public var users: [UserRef]?
    public var count: Int?
    public var title: String?
    public var sendPolicy: SendPolicy?

    public init(type: Kind, actor: UserRef? = nil, users: [UserRef]? = nil, count: Int? = nil, title: String? = nil,
                sendPolicy: SendPolicy? = nil) {
        self.type = type
        self.actor = actor
        self.users = users
        self.count = count
        self.title = title
        self.sendPolicy = sendPolicy
    }

    enum CodingKeys: String, CodingKey { case type, actor, users, count, title, sendPolicy = "send_policy" }
}

/// The newest user message of a conversation, as list rows show it:
/// `{"id", "seq", "sender", "body_preview", "deleted", "created_at"}`.
public struct LastMessage: Codable, Sendable, Equatable {
    public var id: Int64
    public var seq: Int64
    public var sender: Sender
    public var bodyPreview: String
    public var deleted: Bool
    public var createdAt: String

    public init(id: Int64, seq: Int64, sender: Sender, bodyPreview: String, deleted: Bool = false, createdAt: String) {
        self.id = id
        self.seq = seq
        self.sender = sender
        self.bodyPreview = bodyPreview
        self.deleted = deleted
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, seq, sender, bodyPreview = "body_preview", deleted, createdAt = "created_at"
    }
}
