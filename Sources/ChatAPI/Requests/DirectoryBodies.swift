import ChatStore
import HTTP
import Models

/// `PUT /v1/users/{user_id}`: `{"name", "email", "avatar_url"?, "role", "active"?}`.
/// A PUT replaces: an omitted `avatar_url` is null, an omitted `active` is true.
struct UserBody: Decodable {
    var name: String
    var email: String
    var avatarURL: String?
    var role: String
    var active: Bool?

    enum CodingKeys: String, CodingKey { case name, email, avatarURL = "avatar_url", role, active }

    /// The user to store under `id`, every field checked.
    func validated(id: String) throws(APIError) -> User {
        User(id: id, name: try FieldRules.name(name, field: "name"), email: try FieldRules.email(email),
             avatarURL: try FieldRules.url(avatarURL, field: "avatar_url"), role: try FieldRules.role(role),
             active: active ?? true)
    }
}

/// `PUT /v1/circles/{circle_id}`: `{"name", "url"?}`.
struct CircleBody: Decodable {
    var name: String
    var url: String?

    func validated() throws(APIError) -> (name: String, url: String?) {
        (try FieldRules.name(name, field: "name"), try FieldRules.url(url, field: "url"))
    }
}

/// `PUT /v1/circles/{circle_id}/members`: `{"user_ids": [...]}`, the whole set.
struct MembersBody: Decodable {
    /// API.md: bodies up to 4 MiB on this route, so 50,000-member circles sync in one call
    /// (50,000 ids of 64 characters take 3.4 MB).
    static let maxBodyBytes = 4 * 1024 * 1024
    /// More ids than this is surely a mistake (twice the largest circle API.md plans for).
    static let maxCount = 100_000

    var userIDs: [String]

    enum CodingKeys: String, CodingKey { case userIDs = "user_ids" }

    /// The ids, each checked, duplicates removed, in a stable order.
    func validated() throws(APIError) -> [String] {
        guard userIDs.count <= Self.maxCount else {
            throw APIError.invalid("user_ids", "user_ids may hold at most \(Self.maxCount) ids")
        }
        for (index, id) in userIDs.enumerated() {
            _ = try FieldRules.externalID(id, field: "user_ids[\(index)]")
        }
        return Array(Set(userIDs)).sorted()
    }
}

/// `POST /v1/sessions`: `{"user_id", "ttl_seconds"?}` (60..2592000, default 86400).
struct SessionBody: Decodable {
    var userID: String
    var ttlSeconds: Int?

    enum CodingKeys: String, CodingKey { case userID = "user_id", ttlSeconds = "ttl_seconds" }

    func validated() throws(APIError) -> (userID: String, ttlSeconds: Int) {
        let ttl = ttlSeconds ?? Sessions.defaultTTL
        guard Sessions.ttlRange.contains(ttl) else {
            throw APIError.invalid("ttl_seconds", "ttl_seconds must be from \(Sessions.ttlRange.lowerBound) to \(Sessions.ttlRange.upperBound)")
        }
        return (try FieldRules.externalID(userID, field: "user_id"), ttl)
    }
}
