/// A circle as the API shows it: `{"id", "name", "url", "member_count", "conversation_id"}`;
/// `conversation_id` is null until the circle has a chat.
public struct Circle: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var url: String?
    public var memberCount: Int
    public var conversationID: String?

    public init(id: String, name: String, url: String?, memberCount: Int, conversationID: String?) {
        self.id = id
        self.name = name
        self.url = url
        self.memberCount = memberCount
        self.conversationID = conversationID
    }

    enum CodingKeys: String, CodingKey {
        case id, name, url, memberCount = "member_count", conversationID = "conversation_id"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(url, forKey: .url)
        try c.encode(memberCount, forKey: .memberCount)
        try c.encode(conversationID, forKey: .conversationID)
    }
}

/// The circle of a circle chat, as the conversation shows it: `{"id", "name", "url"}`.
public struct CircleRef: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var url: String?

    public init(id: String, name: String, url: String?) {
        self.id = id
        self.name = name
        self.url = url
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(url, forKey: .url)
    }
}
