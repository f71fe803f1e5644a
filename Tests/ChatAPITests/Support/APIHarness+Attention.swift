import Foundation
import Models
import Testing
import TestSupport

/// Calls of the attention endpoints (docs/api.md, "Attention").
extension APIHarness {
    /// Sends `body` mentioning `mentions` (user ids) as `user`.
    func sendMentioning(_ user: TestUser, _ conversation: String, _ body: String, _ mentions: [String]) async throws -> HTTPTestResponse {
        try await send(user, conversation, body, mentions: mentions)
    }

    func read(_ user: TestUser, _ conversation: String, _ seq: Int64) async throws -> HTTPTestResponse {
        try await call("POST", "/v1/conversations/\(conversation)/read", token: user.token, json: "{\"seq\": \(seq)}")
    }

    func markUnread(_ user: TestUser, _ conversation: String, _ seq: Int64) async throws -> HTTPTestResponse {
        try await call("POST", "/v1/conversations/\(conversation)/unread", token: user.token, json: "{\"seq\": \(seq)}")
    }

    func mute(_ user: TestUser, _ conversation: String, _ muted: Bool) async throws -> HTTPTestResponse {
        try await call("PUT", "/v1/conversations/\(conversation)/mute", token: user.token, json: "{\"muted\": \(muted)}")
    }

    func typing(_ user: TestUser, _ conversation: String) async throws -> HTTPTestResponse {
        try await call("POST", "/v1/conversations/\(conversation)/typing", token: user.token)
    }

    /// The conversation as `user` sees it.
    func conversation(_ user: TestUser, _ conversation: String) async throws -> [String: Any] {
        let response = try await call("GET", "/v1/conversations/\(conversation)", token: user.token)
        try expectStatus(response, 200)
        return try response.object()
    }

    /// `GET /v1/unread` of `user`.
    func badges(_ user: TestUser) async throws -> [String: Int] {
        let response = try await call("GET", "/v1/unread", token: user.token)
        try expectStatus(response, 200)
        return try response.object().compactMapValues { $0 as? Int }
    }

    /// `GET /v1/search/messages` with the raw query string `query` (already encoded).
    func searchMessages(_ user: TestUser, _ query: String) async throws -> HTTPTestResponse {
        try await call("GET", "/v1/search/messages?\(query)", token: user.token)
    }

    /// The ids of the messages `user` finds with `q`, newest first (one page of 50).
    func found(_ user: TestUser, _ q: String) async throws -> [Int64] {
        let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q
        let response = try await searchMessages(user, "q=\(encoded)&limit=50")
        try expectStatus(response, 200)
        return try response.items().compactMap { (($0["message"] as? [String: Any])?["id"] as? NSNumber)?.int64Value }
    }
}
