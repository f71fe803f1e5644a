/// How many messages of conversation `c` its viewer has not read, with `r` the viewer's read
/// marker (NULL: nothing read).
///
/// docs/api.md: user messages after `last_read_seq` that others sent and nobody deleted. Sending
/// moves the sender's own marker to the message in the same transaction (the group committer
/// does it for every row), so every message after a viewer's marker is someone else's, and the
/// count is the distance from the marker to `last_seq` (seqs have no gaps) less the system and
/// deleted messages after the marker, which the schema's `chat.unread_of` reads through a
/// partial index holding only those: never a scan of the conversation's messages, and computed
/// from the rows as they are, so no counter can drift. The one exception is a message a DBA
/// inserts in the viewer's own name with plain SQL, which counts until the viewer reads past it.
enum UnreadCount {
    /// Joins `unread` (columns `unread_count`, `unread_mentions`: the unread messages of `c` that
    /// mention the viewer `$1`, an index-only count, deleted messages having none) for the
    /// conversation `c` and the marker `r`: `chat.unread_of`, which the planner inlines.
    static let join = "CROSS JOIN LATERAL chat.unread_of(c.id, c.last_seq, coalesce(r.last_read_seq, 0), $1::text) AS unread"
}
