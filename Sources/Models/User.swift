/// A user as the API shows it: `{"id", "name", "email", "avatar_url", "role", "active"}`.
public struct User: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var email: String
    public var avatarURL: String?
    public var role: Role
    public var active: Bool

    public init(id: String, name: String, email: String, avatarURL: String?, role: Role, active: Bool) {
        self.id = id
        self.name = name
        self.email = email
        self.avatarURL = avatarURL
        self.role = role
        self.active = active
    }

    enum CodingKeys: String, CodingKey {
        case id, name, email, avatarURL = "avatar_url", role, active
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(email, forKey: .email)
        try c.encode(avatarURL, forKey: .avatarURL)  // null, never omitted
        try c.encode(role, forKey: .role)
        try c.encode(active, forKey: .active)
    }

    public var isAdmin: Bool { role == .admin }
}

/// The sender of a message: `{"id", "name", "avatar_url"}`.
public struct Sender: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var avatarURL: String?

    public init(id: String, name: String, avatarURL: String?) {
        self.id = id
        self.name = name
        self.avatarURL = avatarURL
    }

    enum CodingKeys: String, CodingKey { case id, name, avatarURL = "avatar_url" }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(avatarURL, forKey: .avatarURL)
    }
}

/// The other participant of a direct chat: `{"id", "name", "email", "avatar_url"}`.
public struct Peer: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var email: String
    public var avatarURL: String?

    public init(id: String, name: String, email: String, avatarURL: String?) {
        self.id = id
        self.name = name
        self.email = email
        self.avatarURL = avatarURL
    }

    enum CodingKeys: String, CodingKey { case id, name, email, avatarURL = "avatar_url" }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(email, forKey: .email)
        try c.encode(avatarURL, forKey: .avatarURL)
    }
}
