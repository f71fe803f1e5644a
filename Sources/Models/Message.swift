/// A message: `{"id", "conversation_id", "seq", "sender", "body", "client_id", "created_at"}`.
/// `created_at` is kept as the RFC 3339 text the database formatted (`chat.rfc3339`).
public struct Message: Codable, Sendable, Equatable {
    public var id: Int64
    public var conversationID: String
    public var seq: Int64
    public var sender: Sender
    public var body: String
    public var clientID: String?
    public var createdAt: String

    public init(id: Int64, conversationID: String, seq: Int64, sender: Sender, body: String, clientID: String?, createdAt: String) {
        self.id = id
        self.conversationID = conversationID
        self.seq = seq
        self.sender = sender
        self.body = body
        self.clientID = clientID
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, conversationID = "conversation_id", seq, sender, body, clientID = "client_id", createdAt = "created_at"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(conversationID, forKey: .conversationID)
        try c.encode(seq, forKey: .seq)
        try c.encode(sender, forKey: .sender)
        try c.encode(body, forKey: .body)
        try c.encode(clientID, forKey: .clientID)
        try c.encode(createdAt, forKey: .createdAt)
    }
}

/// The newest message of a conversation, as list rows show it:
/// `{"id", "seq", "sender", "body_preview", "created_at"}`.
public struct LastMessage: Codable, Sendable, Equatable {
    public var id: Int64
    public var seq: Int64
    public var sender: Sender
    public var bodyPreview: String
    public var createdAt: String

    public init(id: Int64, seq: Int64, sender: Sender, bodyPreview: String, createdAt: String) {
        self.id = id
        self.seq = seq
        self.sender = sender
        self.bodyPreview = bodyPreview
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, seq, sender, bodyPreview = "body_preview", createdAt = "created_at"
    }
}
