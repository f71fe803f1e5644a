/// The stream's event names (docs/stream.md) and the internal event types of
/// `chat.events` they come from.
public enum StreamEventName: String, Sendable, CaseIterable {
    case messageCreated = "message.created"
    case messageUpdated = "message.updated"
    case messageDeleted = "message.deleted"
    case reactionAdded = "reaction.added"
    case reactionRemoved = "reaction.removed"
    case conversationCreated = "conversation.created"
    case conversationUpdated = "conversation.updated"
    case conversationRemoved = "conversation.removed"
    case readUpdated = "read.updated"
    case receiptUpdated = "receipt.updated"
    case muteUpdated = "mute.updated"
    /// Ephemeral: sent without an `id:` line, never stored nor replayed.
    case typing
    case reset
}

/// `chat.events.type`: what happened in the database. Most map one-to-one to a stream event;
/// membership and user/session changes steer the gateway and become other stream events.
public enum StoredEventType: String, Sendable, CaseIterable {
    case messageCreated = "message.created"
    case messageUpdated = "message.updated"
    case messageDeleted = "message.deleted"
    case reactionAdded = "reaction.added"
    case reactionRemoved = "reaction.removed"
    case conversationCreated = "conversation.created"
    case conversationUpdated = "conversation.updated"
    case memberAdded = "member.added"
    case memberRemoved = "member.removed"
    case readUpdated = "read.updated"
    case receiptUpdated = "receipt.updated"
    case muteUpdated = "mute.updated"
    case userUpdated = "user.updated"
    case sessionRevoked = "session.revoked"
}

/// `message.created` and `message.updated` data: `{"conversation_id", "message"}`.
public struct MessageCreatedData: Codable, Sendable, Equatable {
    public var conversationID: String
    public var message: Message
    public init(conversationID: String, message: Message) {
        self.conversationID = conversationID
        self.message = message
    }
    enum CodingKeys: String, CodingKey { case conversationID = "conversation_id", message }
}

/// `message.deleted` data: `{"conversation_id", "message_id", "seq"}`.
public struct MessageDeletedData: Codable, Sendable, Equatable {
    public var conversationID: String
    public var messageID: Int64
    public var seq: Int64
    public init(conversationID: String, messageID: Int64, seq: Int64) {
        self.conversationID = conversationID
        self.messageID = messageID
        self.seq = seq
    }
    enum CodingKeys: String, CodingKey { case conversationID = "conversation_id", messageID = "message_id", seq }
}

/// `reaction.added` / `reaction.removed` data: `{"conversation_id", "message_id", "emoji",
/// "user_id", "count"}` (`count`: that emoji's reactions on the message after the change).
public struct ReactionEventData: Codable, Sendable, Equatable {
    public var conversationID: String
    public var messageID: Int64
    public var emoji: String
    public var userID: String
    public var count: Int
    public init(conversationID: String, messageID: Int64, emoji: String, userID: String, count: Int) {
        self.conversationID = conversationID
        self.messageID = messageID
        self.emoji = emoji
        self.userID = userID
        self.count = count
    }
    enum CodingKeys: String, CodingKey {
        case conversationID = "conversation_id", messageID = "message_id", emoji, userID = "user_id", count
    }
}

/// `conversation.created` / `conversation.updated` data: `{"conversation": {...}}`.
public struct ConversationEventData: Encodable, Sendable, Equatable {
    public var conversation: ConversationView
    public init(conversation: ConversationView) { self.conversation = conversation }
}

/// `conversation.removed` data: `{"conversation_id"}`.
public struct ConversationRemovedData: Codable, Sendable, Equatable {
    public var conversationID: String
    public init(conversationID: String) { self.conversationID = conversationID }
    enum CodingKeys: String, CodingKey { case conversationID = "conversation_id" }
}

/// `read.updated` data, also the answer of `POST /v1/conversations/{id}/read` and `.../unread`:
/// `{"conversation_id", "last_read_seq", "unread_count", "unread_mentions"}`.
public struct ReadState: Codable, Sendable, Equatable {
    public var conversationID: String
    public var lastReadSeq: Int64
    public var unreadCount: Int
    public var unreadMentions: Int
    public init(conversationID: String, lastReadSeq: Int64, unreadCount: Int, unreadMentions: Int = 0) {
        self.conversationID = conversationID
        self.lastReadSeq = lastReadSeq
        self.unreadCount = unreadCount
        self.unreadMentions = unreadMentions
    }
    enum CodingKeys: String, CodingKey {
        case conversationID = "conversation_id", lastReadSeq = "last_read_seq", unreadCount = "unread_count",
             unreadMentions = "unread_mentions"
    }
}

/// `receipt.updated` data: `{"conversation_id", "user_id", "last_read_seq"}`: the other
/// participant of a direct chat moved their marker.
public struct ReceiptData: Codable, Sendable, Equatable {
    public var conversationID: String
    public var userID: String
    public var lastReadSeq: Int64
    public init(conversationID: String, userID: String, lastReadSeq: Int64) {
        self.conversationID = conversationID
        self.userID = userID
        self.lastReadSeq = lastReadSeq
    }
    enum CodingKeys: String, CodingKey { case conversationID = "conversation_id", userID = "user_id", lastReadSeq = "last_read_seq" }
}

/// `mute.updated` data: `{"conversation_id", "muted"}`.
public struct MuteData: Codable, Sendable, Equatable {
    public var conversationID: String
    public var muted: Bool
    public init(conversationID: String, muted: Bool) {
        self.conversationID = conversationID
        self.muted = muted
    }
    enum CodingKeys: String, CodingKey { case conversationID = "conversation_id", muted }
}

/// `typing` data: `{"conversation_id", "user": {"id", "name"}}` (ephemeral, no `id:`).
public struct TypingData: Codable, Sendable, Equatable {
    public var conversationID: String
    public var user: UserRef
    public init(conversationID: String, user: UserRef) {
        self.conversationID = conversationID
        self.user = user
    }
    enum CodingKeys: String, CodingKey { case conversationID = "conversation_id", user }
}

/// `reset` data: `{"reason"}`: the client must refetch through the API.
public struct ResetData: Codable, Sendable, Equatable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}
