import Foundation
import Models
import Testing
import TestSupport

/// Calls on one message: read, edit, delete, react (API.md, "Messages: edit, delete, reply,
/// react, system messages").
extension APIHarness {
    func messagePath(_ conversation: String, _ message: Int64) -> String {
        "/v1/conversations/\(conversation)/messages/\(message)"
    }

    func getMessage(_ user: TestUser, _ conversation: String, _ message: Int64) async throws -> HTTPTestResponse {
        try await call("GET", messagePath(conversation, message), token: user.token)
    }

    func edit(_ user: TestUser, _ conversation: String, _ message: Int64, _ body: String) async throws -> HTTPTestResponse {
        try await call("PATCH", messagePath(conversation, message), token: user.token, json: "{\"body\": \(JSONText.quote(body))}")
    }

    func delete(_ user: TestUser, _ conversation: String, _ message: Int64) async throws -> HTTPTestResponse {
        try await call("DELETE", messagePath(conversation, message), token: user.token)
    }

    /// PUT (or DELETE with `add: false`) of `emoji`, percent-encoded here.
    func react(_ user: TestUser, _ conversation: String, _ message: Int64, _ emoji: String, add: Bool = true) async throws -> HTTPTestResponse {
        let encoded = emoji.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? emoji
        return try await call(add ? "PUT" : "DELETE", messagePath(conversation, message) + "/reactions/\(encoded)", token: user.token)
    }

    /// Sends a reply to `replyTo`.
    func reply(_ user: TestUser, _ conversation: String, to replyTo: Int64, _ body: String) async throws -> HTTPTestResponse {
        try await call("POST", "/v1/conversations/\(conversation)/messages", token: user.token,
                       json: "{\"body\": \(JSONText.quote(body)), \"reply_to\": \(replyTo)}")
    }

    /// The conversation's history as `user` sees it (the newest 100).
    func history(_ user: TestUser, _ conversation: String) async throws -> [Message] {
        let response = try await call("GET", "/v1/conversations/\(conversation)/messages?limit=100", token: user.token)
        try expectStatus(response, 200)
        return try response.decode(Page.self).items
    }

    /// `unread_count` of the conversation for `user`.
    func unread(_ user: TestUser, _ conversation: String) async throws -> Int? {
        try await call("GET", "/v1/conversations/\(conversation)", token: user.token).object()["unread_count"] as? Int
    }
}
