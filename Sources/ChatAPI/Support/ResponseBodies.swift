import Models

/// `{"items": [...]}`: search results and member lists.
struct ItemList<Item: Encodable & Sendable>: Encodable, Sendable {
    var items: [Item]
}

/// A keyset page: `{"items": [...], "next_cursor": null | "..."}`.
struct CursorPageBody<Item: Encodable & Sendable>: Encodable, Sendable {
    var items: [Item]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey { case items, nextCursor = "next_cursor" }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)  // null, never omitted
    }
}

/// `GET /v1/conversations`.
typealias ConversationListBody = CursorPageBody<ConversationView>

/// `GET /v1/conversations/{id}/messages`: `{"items": [...], "has_more": bool}`.
struct MessagePageBody: Encodable, Sendable {
    var items: [MessageItem]
    var hasMore: Bool

    enum CodingKeys: String, CodingKey { case items, hasMore = "has_more" }
}

/// `PUT /v1/circles/{circle_id}/members`: `{"circle_id", "member_count"}`.
struct MemberCountBody: Encodable, Sendable {
    var circleID: String
    var memberCount: Int

    enum CodingKeys: String, CodingKey { case circleID = "circle_id", memberCount = "member_count" }
}

/// `POST /v1/sessions`: `{"token", "user_id", "expires_at"}`.
struct SessionCreatedBody: Encodable, Sendable {
    var token: String
    var userID: String
    var expiresAt: String

    enum CodingKeys: String, CodingKey { case token, userID = "user_id", expiresAt = "expires_at" }
}

/// A message of a page as it is answered: the JSON the database rendered (`chat.message_json_of`),
/// written verbatim, or a decoded `Message` where the API adds to it (the readers' signed
/// attachment links). A page of 50 messages decoded and encoded again cost chat-api more CPU
/// than PostgreSQL spent building it (docs/benchmarks.md).
enum MessageItem: Encodable, Sendable, Equatable {
    case rendered([UInt8])
    case decoded(Message)

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .decoded(let message): try message.encode(to: encoder)
        case .rendered(let json):
            if let stream = encoder as? StreamEncoder {
                try stream.writeRendered(json)
            } else {  // another encoder: through the model, which decodes every field the database writes
                try Message(databaseJSON: String(decoding: json, as: UTF8.self)).encode(to: encoder)
            }
        }
    }
}
