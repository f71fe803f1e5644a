/// The query of `GET /v1/conversations`: the page is chosen first among the conversations the
/// viewer may see (`chat.visible_conversations`, inlined by the planner, so each kind and role
/// reads only the index it needs), without columns or counting; then its rows get their columns
/// and unread counts.
///
/// Parameters: `$1` the viewer, `$2`/`$3` the cursor (activity in microseconds, id; NULL for the
/// first page), `$4` how many rows, `$5` the viewer's admin flag, `$6` the kind or NULL.
enum ConversationListQueries {
    static let page = """
        SELECT \(ConversationRows.columns)
          FROM (SELECT v.id, v.last_activity_at FROM chat.visible_conversations($1::text, $5::boolean, $6::text) AS v
                 WHERE $2::bigint IS NULL
                    OR (v.last_activity_at, v.id) < (timestamptz 'epoch' + $2::bigint * interval '1 microsecond', $3::uuid)
                 ORDER BY v.last_activity_at DESC, v.id DESC
                 LIMIT $4) AS page
          JOIN chat.conversations c ON c.id = page.id
          \(ConversationRows.joins)
         ORDER BY page.last_activity_at DESC, page.id DESC
        """
}
