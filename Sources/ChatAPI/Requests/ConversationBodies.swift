import HTTP
import Models

/// `POST /v1/conversations/direct`: `{"user_id"}`.
struct DirectChatBody: Decodable {
    var userID: String

    enum CodingKeys: String, CodingKey { case userID = "user_id" }
}

/// `POST /v1/conversations/circle`: `{"circle_id", "title"?, "send_policy"}`.
struct CircleChatBody: Decodable {
    var circleID: String
    var title: String?
    var sendPolicy: String

    enum CodingKeys: String, CodingKey { case circleID = "circle_id", title, sendPolicy = "send_policy" }

    func validated() throws(APIError) -> (circleID: String, title: String?, policy: SendPolicy) {
        (try FieldRules.externalID(circleID, field: "circle_id"), try FieldRules.optionalTitle(title),
         try FieldRules.sendPolicy(sendPolicy))
    }
}

/// `PATCH /v1/conversations/{id}`: `{"title"?, "send_policy"?}`. An absent member leaves the
/// value alone; a `title` that is null, empty or blank goes back to the circle's name.
struct ConversationPatchBody: Decodable {
    enum TitleChange: Equatable {
        case keep
        case set(String?)
    }

    var title: TitleChange
    var sendPolicy: String?

    enum CodingKeys: String, CodingKey { case title, sendPolicy = "send_policy" }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if container.contains(.title) {
            title = .set(try container.decodeIfPresent(String.self, forKey: .title))
        } else {
            title = .keep
        }
        if container.contains(.sendPolicy) {
            sendPolicy = try container.decode(String.self, forKey: .sendPolicy)
        }
    }

    /// The new custom title (`.set(nil)`: none) and policy, checked.
    func validated() throws(APIError) -> (title: TitleChange, policy: SendPolicy?) {
        let checkedTitle: TitleChange
        switch title {
        case .keep: checkedTitle = .keep
        case .set(let text): checkedTitle = .set(try FieldRules.optionalTitle(text))
        }
        return (checkedTitle, try sendPolicy.map { text throws(APIError) in try FieldRules.sendPolicy(text) })
    }
}
