-- 003_views: read-only views for DBAs (and handy for the services): who can see what, unread
-- counts, a one-line overview per conversation, live sessions, the state of the event log.
-- Idempotent (CREATE OR REPLACE).

-- The IF NOT EXISTS / DROP ... IF EXISTS notices of a re-run are noise.
SET LOCAL client_min_messages = warning;

CREATE OR REPLACE VIEW chat.conversation_access AS
    SELECT dp.conversation_id, dp.user_id, 'participant'::text AS access, true AS can_send
      FROM chat.direct_participants dp
    UNION ALL
    SELECT c.id, cm.user_id, 'member'::text,
           c.send_policy = 'all_members' OR u.role = 'admin'
      FROM chat.conversations c
      JOIN chat.circle_members cm ON cm.circle_id = c.circle_id
      JOIN chat.users u ON u.id = cm.user_id
    UNION ALL
    SELECT c.id, u.id, 'admin'::text, true
      FROM chat.conversations c
      JOIN chat.users u ON u.role = 'admin' AND u.active
     WHERE c.kind = 'circle'
       AND NOT EXISTS (SELECT 1 FROM chat.circle_members cm
                        WHERE cm.circle_id = c.circle_id AND cm.user_id = u.id);
COMMENT ON VIEW chat.conversation_access IS
    'Who can see which conversation, one row per (conversation, user): the two participants of a direct chat; '
    'the current members of a circle chat''s circle; and every active admin for every circle chat. '
    'Filter it by conversation_id or user_id. Inactive users still appear as participants and members but '
    'cannot authenticate.';
COMMENT ON COLUMN chat.conversation_access.conversation_id IS 'The conversation.';
COMMENT ON COLUMN chat.conversation_access.user_id IS 'A user who may read it.';
COMMENT ON COLUMN chat.conversation_access.access IS 'Why: participant (direct chat), member (of the circle), admin (any circle chat).';
COMMENT ON COLUMN chat.conversation_access.can_send IS 'Whether the user may send: always, except members (non-admins) of an admins_only chat.';

CREATE OR REPLACE VIEW chat.unread_counts AS
    SELECT a.user_id, a.conversation_id, c.kind,
           coalesce(r.last_read_seq, 0) AS last_read_seq,
           (SELECT count(*) FROM chat.messages m
             WHERE m.conversation_id = a.conversation_id
               AND m.seq > coalesce(r.last_read_seq, 0)
               AND m.sender_id <> a.user_id) AS unread_count
      FROM chat.conversation_access a
      JOIN chat.conversations c ON c.id = a.conversation_id
      LEFT JOIN chat.read_markers r ON r.conversation_id = a.conversation_id AND r.user_id = a.user_id;
COMMENT ON VIEW chat.unread_counts IS
    'Per user and conversation the user can see (chat.conversation_access): the read marker and the number of '
    'messages after it sent by others. Filter by user_id, e.g. the nav badges: '
    'SELECT kind, sum(unread_count) FROM chat.unread_counts WHERE user_id = ''u1'' GROUP BY kind.';
COMMENT ON COLUMN chat.unread_counts.user_id IS 'The reader.';
COMMENT ON COLUMN chat.unread_counts.conversation_id IS 'A conversation the reader can see.';
COMMENT ON COLUMN chat.unread_counts.kind IS 'direct or circle.';
COMMENT ON COLUMN chat.unread_counts.last_read_seq IS 'The reader''s marker (0 when nothing was read).';
COMMENT ON COLUMN chat.unread_counts.unread_count IS 'Messages with seq > last_read_seq that others sent.';

CREATE OR REPLACE VIEW chat.conversation_overview AS
    SELECT c.id AS conversation_id,
           c.kind,
           CASE c.kind WHEN 'circle' THEN coalesce(c.custom_title, ci.name)
                       ELSE lo.name || ' & ' || hi.name END AS title,
           c.circle_id,
           CASE WHEN c.kind = 'direct' THEN ARRAY[c.direct_user_low, c.direct_user_high]::text[] END AS participant_ids,
           c.send_policy,
           CASE WHEN c.kind = 'direct' THEN 2::bigint
                ELSE (SELECT count(*) FROM chat.circle_members cm WHERE cm.circle_id = c.circle_id) END AS member_count,
           c.last_seq AS message_count,
           chat.body_preview(m.body) AS last_message_preview,
           m.sender_id AS last_message_sender_id,
           m.created_at AS last_message_at,
           c.created_at,
           c.last_activity_at
      FROM chat.conversations c
      LEFT JOIN chat.circles ci ON ci.id = c.circle_id
      LEFT JOIN chat.users lo ON lo.id = c.direct_user_low
      LEFT JOIN chat.users hi ON hi.id = c.direct_user_high
      LEFT JOIN chat.messages m ON m.id = c.last_message_id;
COMMENT ON VIEW chat.conversation_overview IS
    'One row per conversation, as a DBA wants to see it: kind, title, size, traffic and the last message. '
    'E.g. SELECT * FROM chat.conversation_overview ORDER BY last_activity_at DESC LIMIT 20.';
COMMENT ON COLUMN chat.conversation_overview.conversation_id IS 'The conversation.';
COMMENT ON COLUMN chat.conversation_overview.kind IS 'direct or circle.';
COMMENT ON COLUMN chat.conversation_overview.title IS 'Circle chat: the custom title, else the circle''s name. Direct chat: "Name & Name".';
COMMENT ON COLUMN chat.conversation_overview.circle_id IS 'The circle of a circle chat, else NULL.';
COMMENT ON COLUMN chat.conversation_overview.participant_ids IS 'The two user ids of a direct chat, else NULL (see chat.circle_members).';
COMMENT ON COLUMN chat.conversation_overview.send_policy IS 'all_members or admins_only.';
COMMENT ON COLUMN chat.conversation_overview.member_count IS 'Participants: 2 for a direct chat, the circle''s member count otherwise.';
COMMENT ON COLUMN chat.conversation_overview.message_count IS 'Messages sent (= last_seq, since seq has no gaps).';
COMMENT ON COLUMN chat.conversation_overview.last_message_preview IS 'The first 140 characters of the last message, white space folded.';
COMMENT ON COLUMN chat.conversation_overview.last_message_sender_id IS 'Who sent the last message.';
COMMENT ON COLUMN chat.conversation_overview.last_message_at IS 'When the last message was sent; NULL before the first.';
COMMENT ON COLUMN chat.conversation_overview.created_at IS 'When the chat was created.';
COMMENT ON COLUMN chat.conversation_overview.last_activity_at IS 'The list order of the API (newest first).';

CREATE OR REPLACE VIEW chat.active_sessions AS
    SELECT s.id AS session_id, s.user_id, u.name AS user_name, u.role, s.created_at, s.expires_at
      FROM chat.sessions s
      JOIN chat.users u ON u.id = s.user_id
     WHERE s.revoked_at IS NULL AND s.expires_at > now() AND u.active;
COMMENT ON VIEW chat.active_sessions IS
    'Sessions that authenticate right now (not revoked, not expired, user active). '
    'To log someone out: UPDATE chat.sessions SET revoked_at = now() WHERE user_id = ''u1'' AND revoked_at IS NULL.';
COMMENT ON COLUMN chat.active_sessions.session_id IS 'chat.sessions.id.';
COMMENT ON COLUMN chat.active_sessions.user_id IS 'Whose session.';
COMMENT ON COLUMN chat.active_sessions.user_name IS 'The user''s name.';
COMMENT ON COLUMN chat.active_sessions.role IS 'The user''s role.';
COMMENT ON COLUMN chat.active_sessions.created_at IS 'When it was minted.';
COMMENT ON COLUMN chat.active_sessions.expires_at IS 'When it stops working.';

CREATE OR REPLACE VIEW chat.event_log_status AS
    SELECT (SELECT last_pos FROM chat.event_counter) AS last_pos,
           (SELECT min(pos) FROM chat.events) AS oldest_pos,
           (SELECT committed_at FROM chat.events WHERE pos = (SELECT min(pos) FROM chat.events)) AS oldest_committed_at,
           (SELECT committed_at FROM chat.events WHERE pos = (SELECT max(pos) FROM chat.events)) AS newest_committed_at;
COMMENT ON VIEW chat.event_log_status IS
    'The state of the outbox in one row: the last position handed out and the span still kept (positions '
    'below oldest_pos were pruned; a client resuming from there gets a reset).';
COMMENT ON COLUMN chat.event_log_status.last_pos IS 'chat.event_counter.last_pos: the newest position.';
COMMENT ON COLUMN chat.event_log_status.oldest_pos IS 'The oldest position still in chat.events (NULL when empty).';
COMMENT ON COLUMN chat.event_log_status.oldest_committed_at IS 'When the oldest kept event committed.';
COMMENT ON COLUMN chat.event_log_status.newest_committed_at IS 'When the newest event committed.';
