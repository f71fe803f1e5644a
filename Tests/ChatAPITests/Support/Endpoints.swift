import Testing

/// Every route of docs/api.md with the credential it needs and a body that would be accepted, for
/// the permission matrix. Paths use placeholder ids: credentials are checked before anything
/// is looked up.
struct Endpoint: Sendable, CustomTestStringConvertible {
    enum Audience: Sendable { case service, user, admin }

    var method: String
    var path: String
    var audience: Audience
    var json: String?

    var testDescription: String { "\(method) \(path)" }

    static let conversation = "00000000-0000-4000-8000-000000000001"

    static let all: [Endpoint] = [
        .init(method: "PUT", path: "/v1/users/someone", audience: .service, json: #"{"name":"N","email":"n@example.com","role":"member"}"#),
        .init(method: "GET", path: "/v1/users/someone", audience: .service),
        .init(method: "PUT", path: "/v1/circles/circle", audience: .service, json: #"{"name":"C"}"#),
        .init(method: "PUT", path: "/v1/circles/circle/members", audience: .service, json: #"{"user_ids":[]}"#),
        .init(method: "PUT", path: "/v1/circles/circle/members/someone", audience: .service),
        .init(method: "DELETE", path: "/v1/circles/circle/members/someone", audience: .service),
        .init(method: "POST", path: "/v1/sessions", audience: .service, json: #"{"user_id":"someone"}"#),
        .init(method: "GET", path: "/v1/me", audience: .user),
        .init(method: "DELETE", path: "/v1/sessions/current", audience: .user),
        .init(method: "GET", path: "/v1/users?q=a", audience: .admin),
        .init(method: "GET", path: "/v1/circles?q=a", audience: .admin),
        .init(method: "POST", path: "/v1/conversations/direct", audience: .admin, json: #"{"user_id":"someone"}"#),
        .init(method: "POST", path: "/v1/conversations/circle", audience: .admin, json: #"{"circle_id":"circle","send_policy":"all_members"}"#),
        .init(method: "PATCH", path: "/v1/conversations/\(conversation)", audience: .admin, json: #"{"title":"T"}"#),
        .init(method: "GET", path: "/v1/conversations?kind=direct", audience: .user),
        .init(method: "GET", path: "/v1/conversations/\(conversation)", audience: .user),
        .init(method: "GET", path: "/v1/conversations/\(conversation)/members", audience: .user),
        .init(method: "GET", path: "/v1/conversations/\(conversation)/messages", audience: .user),
        .init(method: "POST", path: "/v1/conversations/\(conversation)/messages", audience: .user, json: #"{"body":"hi"}"#),
        .init(method: "POST", path: "/v1/conversations/\(conversation)/read", audience: .user, json: #"{"seq":0}"#),
        .init(method: "GET", path: "/v1/conversations/\(conversation)/messages/1", audience: .user),
        .init(method: "PATCH", path: "/v1/conversations/\(conversation)/messages/1", audience: .user, json: #"{"body":"hi"}"#),
        .init(method: "DELETE", path: "/v1/conversations/\(conversation)/messages/1", audience: .user),
        .init(method: "PUT", path: "/v1/conversations/\(conversation)/messages/1/reactions/%F0%9F%91%8D", audience: .user),
        .init(method: "DELETE", path: "/v1/conversations/\(conversation)/messages/1/reactions/%F0%9F%91%8D", audience: .user),
        .init(method: "GET", path: "/v1/unread", audience: .user),
        .init(method: "POST", path: "/v1/conversations/\(conversation)/typing", audience: .user),
        .init(method: "POST", path: "/v1/conversations/\(conversation)/unread", audience: .user, json: #"{"seq":1}"#),
        .init(method: "PUT", path: "/v1/conversations/\(conversation)/mute", audience: .user, json: #"{"muted":true}"#),
        .init(method: "GET", path: "/v1/conversations/\(conversation)/messages/1/readers", audience: .user),
        .init(method: "GET", path: "/v1/search/messages?q=a", audience: .user),
    ]
}
