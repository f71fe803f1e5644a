import Foundation
import HTTP

/// `POST /v1/conversations/{id}/messages`: `{"body", "client_id"?, "reply_to"?, "attachments"?}`.
struct SendBody: Decodable {
    var body: String
    var clientID: String?
    var replyTo: Int64?
    var attachments: [String]?

    enum CodingKeys: String, CodingKey { case body, clientID = "client_id", replyTo = "reply_to", attachments }

    func validated() throws(APIError) -> (body: String, clientID: String?, replyTo: Int64?, attachments: [UUID]) {
        let attachments = try FieldRules.attachments(attachments)
        // With attachments the body may be empty (API.md, "Attachments"); otherwise its rules hold.
        let body = attachments.isEmpty || !self.body.isEmpty ? try FieldRules.messageBody(self.body) : ""
        return (body, try FieldRules.clientID(clientID), replyTo, attachments)
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
