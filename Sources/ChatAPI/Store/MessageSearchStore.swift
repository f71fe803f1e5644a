import Foundation
import HTTP
import Models
import Postgres

/// `GET /v1/search/messages` (docs/api.md, "Message search"): full-text search over the messages the caller
/// may read now (`chat.visible_conversations`, in the same statement), deleted and system
/// messages excluded (they have no `search_vector`), newest first, keyset-paged by message id.
struct MessageSearchStore: Sendable {
    let database: Database

    /// Up to this many visible messages (about 5 ms of work), the caller's messages are read
    /// and each is tested against the query, instead of asking the GIN index: the index's cost
    /// grows with how many messages of the whole site a word prefix matches (35 ms for a
    /// common one on a million messages), whatever the caller may see (docs/benchmarks.md,
    /// "Message search").
    static let scanVisibleLimit: Int64 = 5_000

    /// One page: up to `limit` hits with ids below `before` (the cursor), and whether more follow.
    func search(_ terms: SearchTerms, in conversation: UUID?, before: Int64?, limit: Int,
                viewer: Viewer) async throws -> (hits: [SearchHit], hasMore: Bool) {
        try await database.run { connection in
            // The caller's messages (`visible`), then the hits (keyset, newest first), then the
            // object of only those, joined LATERAL to chat.message_json_of like a history page.
            // NOT MATERIALIZED, the planner merges `visible` into one plan: the visible ids are
            // one array (an InitPlan) the conversation index takes as a whole, ANDed with one
            // read of the GIN index (joined row by row, it read a common prefix's posting lists
            // once per conversation: 133 ms instead of 10). MATERIALIZED, for a caller who sees
            // few messages, they are read first and each is tested: no GIN read at all.
            let scan = try Self.visibleMessages(viewer, in: conversation, on: connection) <= Self.scanVisibleLimit
            let rows = try connection.query("""
                WITH visible AS \(unsafeSQL: scan ? "MATERIALIZED" : "NOT MATERIALIZED") (
                    SELECT m.id, m.body, m.conversation_id, m.search_vector
                      FROM chat.messages m
                     WHERE m.conversation_id = ANY (ARRAY(
                               SELECT v.id FROM chat.visible_conversations(\(viewer.id)::text, \(viewer.isAdmin)::boolean) v))
                       AND m.deleted_at IS NULL
                       AND (\(conversation)::uuid IS NULL OR m.conversation_id = \(conversation)::uuid)
                       AND (\(before)::bigint IS NULL OR m.id < \(before)::bigint))
                SELECT hit.id, j.message::text AS message, hit.body, hit.conversation_id, hit.kind, hit.title
                  FROM (SELECT m.id, m.body, c.id::text AS conversation_id, c.kind,
                               CASE WHEN c.kind = 'direct'
                                    THEN (SELECT u.name FROM chat.users u
                                           WHERE u.id IN (c.direct_user_low, c.direct_user_high) AND u.id <> \(viewer.id)::text)
                                    ELSE coalesce(c.custom_title, (SELECT ci.name FROM chat.circles ci WHERE ci.id = c.circle_id)) END AS title
                          FROM visible m
                          JOIN chat.conversations c ON c.id = m.conversation_id
                         WHERE m.search_vector @@ to_tsquery('chat.search', \(terms.tsquery)::text)
                         ORDER BY m.id DESC
                         LIMIT \(limit + 1)) AS hit
                 CROSS JOIN LATERAL chat.message_json_of(hit.id, \(viewer.id)::text) AS j
                 ORDER BY hit.id DESC
                """)
            var hits: [SearchHit] = []
            for row in rows.prefix(limit) {
                guard let kind = ConversationKind(rawValue: try row.decode("kind")) else {
                    throw PostgresError(.decoding, "unknown conversation kind", column: "kind")
                }
                hits.append(SearchHit(
                    message: try Message(databaseJSON: try row.decode("message")),
                    conversation: SearchHit.ConversationRef(id: try row.decode("conversation_id"), kind: kind,
                                                            title: try row.decode("title", as: String?.self) ?? ""),
                    highlight: terms.highlight(try row.decode("body"))))
            }
            return (hits, rows.count > limit)
        }
    }
}

extension MessageSearchStore {
    /// How many messages the caller may read (in `conversation` when given), counted from the
    /// conversations' `last_seq`: deleted messages included, which only makes it cautious.
    static func visibleMessages(_ viewer: Viewer, in conversation: UUID?, on connection: PostgresConnection) throws -> Int64 {
        try connection.query("""
            SELECT coalesce(sum(v.last_seq), 0)::bigint AS messages
              FROM chat.visible_conversations(\(viewer.id)::text, \(viewer.isAdmin)::boolean) v
             WHERE \(conversation)::uuid IS NULL OR v.id = \(conversation)::uuid
            """).first?.decode("messages", as: Int64.self) ?? 0
    }
}

/// One search result: `{"message", "conversation": {"id", "kind", "title"}, "highlight"}`.
struct SearchHit: Encodable, Sendable {
    struct ConversationRef: Encodable, Sendable {
        var id: String
        var kind: ConversationKind
        var title: String
    }

    var message: Message
    var conversation: ConversationRef
    var highlight: String
}

/// `GET /v1/search/messages`: `{"items": [...], "next_cursor": null | "..."}`.
typealias SearchPageBody = CursorPageBody<SearchHit>
