import HTTP

/// `POST /v1/conversations/{id}/messages`: `{"body", "client_id"?, "reply_to"?}`.
struct SendBody: Decodable {
    var body: String
    var clientID: String?
    var replyTo: Int64?

    enum CodingKeys: String, CodingKey { case body, clientID = "client_id", replyTo = "reply_to" }

    func validated() throws(APIError) -> (body: String, clientID: String?, replyTo: Int64?) {
        (try FieldRules.messageBody(body), try FieldRules.clientID(clientID), replyTo)
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
