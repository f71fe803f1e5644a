import Foundation
import HTTP
import Models
import Postgres

/// Read markers, unread counts and mute. The schema's `chat.move_read_marker` moves a marker
/// and, when it moved, writes `read.updated` (all of the reader's open pages update their
/// badges) and in a direct chat `receipt.updated` for the other participant, in the same
/// transaction.
struct ReadStateStore: Sendable {
    let database: Database

    /// Moves the viewer's marker in `id` to `seq` unless it is already further. 422 when `seq`
    /// is beyond the conversation's last message (nothing there could have been read).
    func markRead(_ id: UUID, upTo seq: Int64, viewer: Viewer) async throws -> ReadState {
        try await move(id, to: seq, backward: false, viewer: viewer, seqCheck: seq)
    }

    /// Marks message `seq` and everything after it unread: the marker becomes the lower of its
    /// value and `seq - 1` (never forward). 422 when `seq` is not one of the conversation's.
    func markUnread(_ id: UUID, from seq: Int64, viewer: Viewer) async throws -> ReadState {
        try await move(id, to: seq - 1, backward: true, viewer: viewer, seqCheck: seq)
    }

    private func move(_ id: UUID, to target: Int64, backward: Bool, viewer: Viewer, seqCheck seq: Int64) async throws -> ReadState {
        try await database.transaction { connection in
            let access = try ConversationAccess.require(id, viewer: viewer, on: connection)
            guard seq <= access.lastSeq else {
                throw APIError.invalid("seq", "seq \(seq) is beyond the last message of this conversation (\(access.lastSeq))")
            }
            guard let row = try connection.query("""
                SELECT * FROM chat.move_read_marker(\(id)::uuid, \(viewer.id)::text, \(target)::bigint, \(backward)::boolean)
                """).first else { throw PostgresError(.server, "the read marker statement returned no row") }
            return ReadState(conversationID: id.uuidString.lowercased(), lastReadSeq: try row.decode("last_read_seq"),
                             unreadCount: try row.decode("unread_count"), unreadMentions: try row.decode("unread_mentions"))
        }
    }

    /// Mutes or unmutes `id` for the viewer; a change writes `mute.updated` for the viewer's
    /// other tabs. Returns the conversation as the viewer now sees it.
    func setMuted(_ id: UUID, muted: Bool, viewer: Viewer) async throws -> ConversationView {
        try await database.transaction { connection in
            _ = try ConversationAccess.require(id, viewer: viewer, on: connection)
            // Unmuting needs no row where there is none; muting creates one (marker 0: nothing read).
            try connection.execute("""
                WITH changed AS (
                    INSERT INTO chat.read_markers AS r (conversation_id, user_id, muted)
                    SELECT \(id)::uuid, \(viewer.id)::text, \(muted)::boolean
                     WHERE \(muted)::boolean OR EXISTS (SELECT 1 FROM chat.read_markers x
                                              WHERE x.conversation_id = \(id) AND x.user_id = \(viewer.id))
                    ON CONFLICT (conversation_id, user_id) DO UPDATE SET muted = EXCLUDED.muted
                     WHERE r.muted <> EXCLUDED.muted
                    RETURNING r.muted
                )
                INSERT INTO chat.events (type, conversation_id, user_id, payload)
                SELECT 'mute.updated', \(id), \(viewer.id), jsonb_build_object('conversation_id', \(id)::text, 'muted', changed.muted)
                  FROM changed
                """)
            guard let view = try ConversationRows.view(id, for: viewer, on: connection) else { throw APIError.conversationNotFound }
            return view
        }
    }

    private static let totals = """
        SELECT c.kind, sum(unread.unread_count)::bigint AS n, sum(unread.unread_mentions)::bigint AS mentions
          FROM \(ConversationAccess.visibleToViewer)
          LEFT JOIN chat.read_markers r ON r.conversation_id = c.id AND r.user_id = $1::text
          \(UnreadCount.join)
         WHERE NOT coalesce(r.muted, false)
         GROUP BY c.kind
        """

    /// Unread messages (sent by others, after the viewer's markers) in every conversation the
    /// viewer can see and has not muted, by kind, and the unread ones that mention the viewer:
    /// the nav badges.
    func unreadTotals(for viewer: Viewer) async throws -> UnreadTotals {
        try await database.run { connection in
            let rows = try connection.query(SQLQuery(unsafeSQL: Self.totals, binds: [viewer.id, viewer.isAdmin]))
            var totals = UnreadTotals(direct: 0, circle: 0, mentions: 0)
            for row in rows {
                let count: Int = try row.decode("n")
                totals.mentions += try row.decode("mentions", as: Int.self)
                switch try row.decode("kind", as: String.self) {
                case ConversationKind.direct.rawValue: totals.direct = count
                default: totals.circle = count
                }
            }
            return totals
        }
    }
}

/// `GET /v1/unread`: `{"direct", "circle", "total", "mentions"}`.
struct UnreadTotals: Encodable, Sendable, Equatable {
    var direct: Int
    var circle: Int
    var mentions: Int
    var total: Int { direct + circle }

    enum CodingKeys: String, CodingKey { case direct, circle, total, mentions }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(direct, forKey: .direct)
        try container.encode(circle, forKey: .circle)
        try container.encode(total, forKey: .total)
        try container.encode(mentions, forKey: .mentions)
    }
}
