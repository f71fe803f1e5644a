import Foundation
import Models
import Postgres

/// Mentions on the write path (docs/api.md, "Mentions"): each mentioned user must see the
/// conversation, asked of `chat.visible_conversations` inside the batch's transaction, under
/// the conversation's lock. A batch without mentions asks nothing.
extension BatchWriter {
    /// The mentioned users as messages show them, by row index, for the rows still open; a row
    /// mentioning someone who does not see its conversation fails (422 `mentions`).
    static func resolveMentions(_ requests: [SendRequest], results: inout [SendRowResult?],
                                on connection: PostgresConnection) throws -> [Int: [UserRef]] {
        var indices: [Int64] = [], conversations: [UUID] = [], users: [String] = []
        for index in requests.indices where results[index] == nil {
            for user in requests[index].mentions {
                indices.append(Int64(index))
                conversations.append(requests[index].conversationID)
                users.append(user)
            }
        }
        guard !indices.isEmpty else { return [:] }
        let rows = try connection.query("""
            SELECT b.i, b.user_id, u.name,
                   EXISTS (SELECT 1 FROM chat.visible_conversations(u.id, u.role = 'admin') v WHERE v.id = b.conversation) AS sees
              FROM unnest(\(indices)::bigint[], \(conversations)::uuid[], \(users)::text[]) WITH ORDINALITY AS b(i, conversation, user_id, ord)
              LEFT JOIN chat.users u ON u.id = b.user_id
             ORDER BY b.ord
            """)
        var resolved: [Int: [UserRef]] = [:]
        for row in rows {
            let index = Int(try row.decode("i", as: Int64.self))
            guard results[index] == nil else { continue }
            guard try row.decode("sees", as: Bool.self), let name = try row.decode("name", as: String?.self) else {
                results[index] = .failed(.mentionNotVisible)
                continue
            }
            resolved[index, default: []].append(UserRef(id: try row.decode("user_id"), name: name))
        }
        return resolved.filter { results[$0.key] == nil }
    }

    /// The `mentions` column of one row as the insert passes it: ids separated by spaces (ids
    /// have none), split back by `string_to_array`; "" for none.
    static func mentionsColumn(_ request: SendRequest) -> String {
        request.mentions.joined(separator: " ")
    }
}
