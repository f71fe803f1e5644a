import Foundation
import Models
import Postgres

/// How a conversation is selected and decoded as one viewer sees it: the columns of the
/// viewer-neutral conversation (the same object as the schema's `chat.conversation_json`, which
/// the gateway renders; a test keeps the two equal) plus the viewer's read state, rendered by
/// `ConversationSnapshot.render(for:state:)`. Columns rather than the JSON function: no JSON to
/// build and parse per row, and one plan for the whole page.
enum ConversationRows {
    /// Select list for a conversation `c` with `joins`, seen by the viewer `$1`.
    static let columns = """
        c.id::text AS id, c.kind, c.custom_title, c.send_policy,
        chat.rfc3339(c.created_at) AS created_at, chat.rfc3339(c.last_activity_at) AS last_activity_at,
        (extract(epoch FROM c.last_activity_at) * 1000000)::bigint AS activity_us,
        ci.id AS circle_id, ci.name AS circle_name, ci.url AS circle_url,
        CASE WHEN c.kind = 'direct' THEN 2
             ELSE (SELECT count(*) FROM chat.circle_members cm WHERE cm.circle_id = c.circle_id) END AS member_count,
        lo.id AS low_id, lo.name AS low_name, lo.email AS low_email, lo.avatar_url AS low_avatar_url,
        hi.id AS high_id, hi.name AS high_name, hi.email AS high_email, hi.avatar_url AS high_avatar_url,
        lm.id AS last_id, lm.seq AS last_message_seq, chat.body_preview(lm.body) AS last_preview,
        lm.deleted_at IS NOT NULL AS last_deleted,
        chat.rfc3339(lm.created_at) AS last_created_at,
        ls.id AS last_sender_id, ls.name AS last_sender_name, ls.avatar_url AS last_sender_avatar_url,
        coalesce(r.last_read_seq, 0) AS last_read_seq,
        unread.unread_count, unread.unread_mentions,
        coalesce(r.muted, false) AS muted,
        CASE WHEN c.kind = 'direct' THEN coalesce((
            SELECT pr.last_read_seq FROM chat.read_markers pr
             WHERE pr.conversation_id = c.id AND pr.user_id <> $1::text), 0) END AS peer_last_read_seq
        """

    /// What `columns` reads besides `c`.
    static let joins = """
        LEFT JOIN chat.circles ci ON ci.id = c.circle_id
        LEFT JOIN chat.users lo ON lo.id = c.direct_user_low
        LEFT JOIN chat.users hi ON hi.id = c.direct_user_high
        LEFT JOIN chat.messages lm ON lm.id = c.last_message_id
        LEFT JOIN chat.users ls ON ls.id = lm.sender_id
        LEFT JOIN chat.read_markers r ON r.conversation_id = c.id AND r.user_id = $1::text
        \(UnreadCount.join)
        """

    /// The conversation `$3` as the viewer `$1` (admin flag `$2`) sees it, if they may.
    static let byID = """
        SELECT \(columns) FROM \(ConversationAccess.visibleToViewer) \(joins)
         WHERE c.id = $3
        """

    static func snapshot(_ row: PostgresRow) throws -> ConversationSnapshot {
        guard let kind = ConversationKind(rawValue: try row.decode("kind")),
              let policy = SendPolicy(rawValue: try row.decode("send_policy"))
        else { throw PostgresError(.decoding, "unknown conversation kind or send policy") }
        var participants: [Peer] = []
        if kind == .direct {
            for side in ["low", "high"] {
                participants.append(Peer(id: try row.decode("\(side)_id"), name: try row.decode("\(side)_name"),
                                         email: try row.decode("\(side)_email"), avatarURL: try row.decode("\(side)_avatar_url")))
            }
        }
        let circle = try row.decode("circle_id", as: String?.self).map { id in
            CircleRef(id: id, name: try row.decode("circle_name"), url: try row.decode("circle_url"))
        }
        let lastMessage = try row.decode("last_id", as: Int64?.self).map { id in
            LastMessage(
                id: id, seq: try row.decode("last_message_seq"),
                sender: Sender(id: try row.decode("last_sender_id"), name: try row.decode("last_sender_name"),
                               avatarURL: try row.decode("last_sender_avatar_url")),
                bodyPreview: try row.decode("last_preview"), deleted: try row.decode("last_deleted"), createdAt: try row.decode("last_created_at"))
        }
        return ConversationSnapshot(
            id: try row.decode("id"), kind: kind, customTitle: try row.decode("custom_title"), circle: circle,
            participants: participants, memberCount: try row.decode("member_count"), sendPolicy: policy,
            createdAt: try row.decode("created_at"), lastActivityAt: try row.decode("last_activity_at"), lastMessage: lastMessage)
    }

    static func view(_ row: PostgresRow, for viewer: Viewer) throws -> ConversationView {
        let state = ViewerState(
            unreadCount: try row.decode("unread_count"), lastReadSeq: try row.decode("last_read_seq"),
            unreadMentions: try row.decode("unread_mentions"), muted: try row.decode("muted"),
            peerLastReadSeq: try row.decode("peer_last_read_seq", as: Int64?.self) ?? 0)
        return try snapshot(row).render(for: viewer, state: state)
    }

    /// The conversation `id` as `viewer` sees it, or nil when they may not see it.
    static func view(_ id: UUID, for viewer: Viewer, on connection: PostgresConnection) throws -> ConversationView? {
        try connection.query(SQLQuery(unsafeSQL: byID, binds: [viewer.id, viewer.isAdmin, id])).first.map { try view($0, for: viewer) }
    }
}
