/// How many messages of conversation `c` its viewer has not read, with `r` the viewer's read
/// marker (NULL: nothing read).
///
/// docs/api.md: messages after `last_read_seq` that others sent. Sending moves the sender's own
/// marker to the message in the same transaction (the group committer does it for every row),
/// so every message after a viewer's marker is someone else's, and the count is the distance
/// from the marker to `last_seq` (seqs have no gaps): no messages to scan, however many are
/// unread. The one exception is a message a DBA inserts in the viewer's own name with plain
/// SQL, which counts until the viewer reads past it.
enum UnreadCount {
    static let expression = "greatest(c.last_seq - coalesce(r.last_read_seq, 0), 0)"
}
