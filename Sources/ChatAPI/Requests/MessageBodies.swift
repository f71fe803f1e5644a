import Foundation
import HTTP

/// `POST /v1/conversations/{id}/messages`: `{"body", "client_id"?, "reply_to"?, "mentions"?, "attachments"?}`.
struct SendBody: Decodable {
    var body: String
    var clientID: String?
    var replyTo: Int64?
    var mentions: [String]?
    var attachments: [String]?

    enum CodingKeys: String, CodingKey { case body, clientID = "client_id", replyTo = "reply_to", mentions, attachments }

    func validated() throws(APIError) -> (body: String, clientID: String?, replyTo: Int64?, mentions: [String], attachments: [UUID]) {
        let attachments = try FieldRules.attachments(attachments)
        // With attachments the body may be empty (API.md, "Attachments"); otherwise its rules hold.
        let body = attachments.isEmpty || !self.body.isEmpty ? try FieldRules.messageBody(self.body) : ""
        return (body, try FieldRules.clientID(clientID), replyTo, try FieldRules.mentions(mentions), attachments)
    }
}

/// `PATCH /v1/conversations/{id}/messages/{message_id}`: `{"body"}`, the rules of sending.
struct EditBody: Decodable {
    var body: String

    func validated() throws(APIError) -> String { try FieldRules.messageBody(body) }
}

/// `POST /v1/conversations/{id}/read`: `{"seq"}`.
struct ReadBody: Decodable {
    var seq: Int64

    func validated() throws(APIError) -> Int64 {
        guard seq >= 0 else { throw APIError.invalid("seq", "seq must be 0 or more") }
        return seq
    }
}

/// `POST /v1/conversations/{id}/unread`: `{"seq"}`, a message of the conversation (1 or more).
struct UnreadBody: Decodable {
    var seq: Int64

    func validated() throws(APIError) -> Int64 {
        guard seq >= 1 else { throw APIError.invalid("seq", "seq must be 1 or more") }
        return seq
    }
}

/// `PUT /v1/conversations/{id}/mute`: `{"muted"}`.
struct MuteBody: Decodable {
    var muted: Bool
}
