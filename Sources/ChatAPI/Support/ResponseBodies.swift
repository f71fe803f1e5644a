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
    var items: [Message]
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
