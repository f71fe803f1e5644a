import Models

/// The queries of `GET /v1/conversations`, one per kind filter and role, so each plan reads
/// only the index it needs: direct chats through `direct_participants`, a member's circle
/// chats through `circle_members`, an admin's through every circle chat.
///
/// Parameters: `$1` the viewer, `$2`/`$3` the cursor (activity in microseconds, id; NULL for the
/// first page), `$4` how many rows. The page is chosen first (no columns, no counting), then
/// its rows get their columns and unread counts.
enum ConversationListQueries {
    static func query(kind: ConversationKind?, admin: Bool) -> String {
        switch (kind, admin) {
        case (.direct?, _): directOnly
        case (.circle?, true): adminCircles
        case (.circle?, false): memberCircles
        case (nil, true): adminAll
        case (nil, false): memberAll
        }
    }

    private static let direct = """
        SELECT c.id, c.last_activity_at FROM chat.direct_participants dp
          JOIN chat.conversations c ON c.id = dp.conversation_id WHERE dp.user_id = $1::text
        """
    private static let everyCircle = "SELECT c.id, c.last_activity_at FROM chat.conversations c WHERE c.kind = 'circle'"
    private static let ownCircles = """
        SELECT c.id, c.last_activity_at FROM chat.circle_members cm
          JOIN chat.conversations c ON c.circle_id = cm.circle_id WHERE cm.user_id = $1::text
        """

    private static let directOnly = make(direct)
    private static let adminCircles = make(everyCircle)
    private static let memberCircles = make(ownCircles)
    private static let adminAll = make("\(direct) UNION ALL \(everyCircle)")
    private static let memberAll = make("\(direct) UNION ALL \(ownCircles)")

    private static func make(_ visible: String) -> String {
        """
            SELECT \(ConversationRows.columns)
              FROM (SELECT v.id, v.last_activity_at FROM (\(visible)) AS v
                     WHERE $2::bigint IS NULL
                        OR (v.last_activity_at, v.id) < (timestamptz 'epoch' + $2::bigint * interval '1 microsecond', $3::uuid)
                     ORDER BY v.last_activity_at DESC, v.id DESC
                     LIMIT $4) AS page
              JOIN chat.conversations c ON c.id = page.id
              \(ConversationRows.joins)
             ORDER BY page.last_activity_at DESC, page.id DESC
            """
    }
}
