import HTTP

/// `POST /v1/conversations/{id}/messages`: `{"body", "client_id"?}`.
struct SendBody: Decodable {
    var body: String
    var clientID: String?

    enum CodingKeys: String, CodingKey { case body, clientID = "client_id" }

    func validated() throws(APIError) -> (body: String, clientID: String?) {
        (try FieldRules.messageBody(body), try FieldRules.clientID(clientID))
    }
}

/// `POST /v1/conversations/{id}/read`: `{"seq"}`.
struct ReadBody: Decodable {
    var seq: Int64

    func validated() throws(APIError) -> Int64 {
        guard seq >= 0 else { throw APIError.invalid("seq", "seq must be 0 or more") }
        return seq
    }
}
