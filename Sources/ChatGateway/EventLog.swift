import ChatStore
import Foundation
import Models
import Postgres

/// The gateway's reads of the database: `chat.events` after a position (tail and replay), the
/// audiences of conversations, and the checks made before a stream opens. Every call borrows a
/// pooled connection, so libpq never blocks an event loop or the cooperative pool.
struct EventLog: Sendable {
    let pool: PostgresPool

    /// Rows per read: the tail and replay loop until a read returns fewer.
    static let batchSize = 1000

    /// The session behind a stream's token (`ChatStore.Sessions.lookup`): nil for an unknown,
    /// expired or revoked token or an inactive user.
    func session(for token: String) async throws -> AuthenticatedSession? {
        try await pool.withConnection { conn in try Sessions.lookup(token: token, on: conn) }
    }

    /// The position of the newest committed event (`chat.event_counter`): a gateway starts
    /// tailing from here, and a `Last-Event-ID` beyond it is unknown.
    func latestPosition() async throws -> Int64 {
        try await pool.withConnection { conn in
            let rows = try conn.query("SELECT last_pos FROM chat.event_counter")
            guard let row = rows.first else { return 0 }
            return try row.decode("last_pos", as: Int64.self)
        }
    }

    /// Seconds since the oldest event kept in `chat.events` committed (0 when it is empty):
    /// how far behind pruning is (`chat.event_log_status`).
    func oldestEventAge() async throws -> Double {
        try await pool.withConnection { conn in
            let rows = try conn.query(SQLQuery(unsafeSQL: """
                SELECT coalesce(extract(epoch FROM now() - oldest_committed_at), 0)::float8 AS age FROM chat.event_log_status
                """))
            return try rows.first?.decode("age", as: Double.self) ?? 0
        }
    }

    /// Up to `limit` events after `position`, in order, for everyone (the tail), with what a
    /// synchronous standby must confirm before they may be streamed (`EventLog+Replication.swift`).
    /// The two extra columns are uncorrelated scalar subqueries (evaluated once per read): no
    /// extra round trip.
    func events(after position: Int64, limit: Int = batchSize) async throws -> TailBatch {
        try await pool.withConnection { conn in
            let rows = try conn.query("""
                SELECT \(unsafeSQL: EventLog.columns),
                       (SELECT current_setting('synchronous_standby_names') <> '') AS sync_standby,
                       (SELECT pg_current_wal_insert_lsn()::text) AS wal_lsn
                  FROM chat.events e WHERE e.pos > \(position) ORDER BY e.pos LIMIT \(limit)
                """)
            guard let last = rows.last, try last.decode("sync_standby", as: Bool.self) else {
                return TailBatch(events: try rows.map(EventLog.decodeEvent), unconfirmedThrough: nil)
            }
            return TailBatch(events: try rows.map(EventLog.decodeEvent), unconfirmedThrough: try last.decode("wal_lsn", as: String.self))
        }
    }

    /// Up to `limit` events in (`position`, `through`] that concern `viewer`, in order: the
    /// rules of `FanOutHub+Routing.swift` in SQL, with membership as it is now (docs/stream.md, "Resume").
    func replay(for viewer: Viewer, conversation: UUID?, after position: Int64, through: Int64,
                limit: Int = batchSize) async throws -> [StoredEvent] {
        try await pool.withConnection { conn in
            try conn.query(SQLQuery(unsafeSQL: EventLog.replaySQL, binds: [position, through, viewer.id, viewer.isAdmin, conversation, limit]))
                .map(EventLog.decodeEvent)
        }
    }

    /// The members of each of `ids` (`chat.conversation_members`: a direct chat's two
    /// participants, a circle's current members; admins apart). Conversations that do not
    /// exist are left out.
    func audiences(of ids: [UUID]) async throws -> [String: Audience] {
        try await pool.withConnection { conn in
            var result: [String: Audience] = [:]
            let rows = try conn.query("""
                SELECT c.id::text AS id, c.kind,
                       ARRAY(SELECT m.user_id::text FROM chat.conversation_members m WHERE m.conversation_id = c.id) AS members
                  FROM chat.conversations c WHERE c.id = ANY(\(ids)::uuid[])
                """)
            for row in rows {
                let kind = ConversationKind(rawValue: try row.decode("kind", as: String.self)) ?? .circle
                result[try row.decode("id", as: String.self)] = Audience(kind: kind, members: Set(try row.decode("members", as: [String].self)))
            }
            return result
        }
    }

    /// True when `viewer` may see `conversation` (docs/schema.md, "Who sees what").
    func canSee(_ viewer: Viewer, conversation: UUID) async throws -> Bool {
        try await pool.withConnection { conn in
            let rows = try conn.query("""
                SELECT EXISTS (SELECT 1 FROM chat.visible_conversations(\(viewer.id), \(viewer.isAdmin)) c
                                WHERE c.id = \(conversation)) AS visible
                """)
            return try rows.first?.decode("visible", as: Bool.self) ?? false
        }
    }

    /// What the log holds after `position`: the newest position and the first event after it
    /// (is it `position + 1`, and is it inside the retention window?).
    func resumePoint(after position: Int64, retention: Duration) async throws -> ResumePoint {
        try await pool.withConnection { conn in
            let rows = try conn.query("""
                SELECT (SELECT last_pos FROM chat.event_counter) AS last_pos, n.pos AS next_pos,
                       n.committed_at < now() - \(retention) AS next_expired
                FROM (SELECT 1) AS one
                LEFT JOIN LATERAL (SELECT pos, committed_at FROM chat.events WHERE pos > \(position) ORDER BY pos LIMIT 1) AS n ON true
                """)
            guard let row = rows.first else { return ResumePoint(latest: 0, next: nil, nextExpired: false) }
            return ResumePoint(latest: try row.decode("last_pos", as: Int64?.self) ?? 0,
                               next: try row.decode("next_pos", as: Int64?.self),
                               nextExpired: try row.decode("next_expired", as: Bool?.self) ?? false)
        }
    }

    /// `SELECT` list shared by the tail and the replay: same rows, same decoding.
    private static let columns = """
        e.pos, e.type, e.conversation_id::text AS conversation_id, e.user_id, e.payload::text AS payload, e.committed_at,
        CASE WHEN e.type IN ('conversation.created', 'conversation.updated', 'member.added')
             THEN chat.conversation_json(e.conversation_id)::text END AS conversation_json
        """

    /// $1 after, $2 through, $3 user id, $4 is admin, $5 conversation filter or NULL, $6 limit.
    private static let replaySQL = """
        WITH visible AS (SELECT c.id FROM chat.visible_conversations($3::text, $4::boolean) c)
        SELECT \(columns)
        FROM chat.events e
        WHERE e.pos > $1 AND e.pos <= $2
          AND ($5::uuid IS NULL OR e.conversation_id = $5::uuid)
          AND CASE e.type
                WHEN 'message.created' THEN e.conversation_id IN (SELECT id FROM visible)
                WHEN 'message.updated' THEN e.conversation_id IN (SELECT id FROM visible)
                WHEN 'message.deleted' THEN e.conversation_id IN (SELECT id FROM visible)
                WHEN 'reaction.added' THEN e.conversation_id IN (SELECT id FROM visible)
                WHEN 'reaction.removed' THEN e.conversation_id IN (SELECT id FROM visible)
                WHEN 'conversation.created' THEN e.conversation_id IN (SELECT id FROM visible)
                WHEN 'conversation.updated' THEN e.conversation_id IN (SELECT id FROM visible)
                WHEN 'read.updated' THEN e.user_id = $3
                WHEN 'receipt.updated' THEN e.user_id = $3
                WHEN 'mute.updated' THEN e.user_id = $3
                WHEN 'member.added' THEN e.user_id = $3 AND NOT $4
                WHEN 'member.removed' THEN e.user_id = $3 AND NOT $4
                ELSE false
              END
        ORDER BY e.pos LIMIT $6
        """

    private static func decodeEvent(_ row: PostgresRow) throws -> StoredEvent {
        StoredEvent(
            pos: try row.decode("pos", as: Int64.self),
            type: StoredEventType(rawValue: try row.decode("type", as: String.self)),
            conversationID: try row.decode("conversation_id", as: String?.self),
            userID: try row.decode("user_id", as: String?.self),
            payload: try row.decode("payload", as: String.self),
            committedAt: try row.decode("committed_at", as: Date.self),
            conversationJSON: try row.decode("conversation_json", as: String?.self))
    }
}

/// What `EventLog.resumePoint` found after a client's `Last-Event-ID`.
struct ResumePoint: Sendable, Equatable {
    /// The newest committed position.
    var latest: Int64
    /// The first position after the client's, if any event after it is still kept.
    var next: Int64?
    /// True when that event is older than the retention window.
    var nextExpired: Bool
}
