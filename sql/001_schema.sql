-- 001_schema: the chat schema's tables, constraints and indexes.
--
-- Applied by `chatctl migrate` (inside a transaction, recorded in chat.schema_migrations), or by
-- hand:  psql -v ON_ERROR_STOP=1 --single-transaction -f sql/001_schema.sql
-- Every statement is idempotent (IF NOT EXISTS / OR REPLACE), so applying it twice is harmless.
-- The event path (triggers that feed chat.events) is in 002, the views in 003, name search in 004.

-- The IF NOT EXISTS / DROP ... IF EXISTS notices of a re-run are noise.
SET LOCAL client_min_messages = warning;

DO $$
BEGIN
    IF current_setting('server_encoding') <> 'UTF8' THEN
        RAISE EXCEPTION 'the chat schema needs a UTF8 database (this one is %)',
            current_setting('server_encoding');
    END IF;
END $$;

CREATE SCHEMA IF NOT EXISTS chat;
COMMENT ON SCHEMA chat IS
    'The chat back end: users and circles synced from the backoffice, direct and circle conversations, '
    'messages, read markers, sessions, and chat.events (the outbox the gateway streams from). '
    'See docs/schema.md for a tour.';

-- ---------------------------------------------------------------------------------------------
-- Small helpers used by the constraints below.

CREATE OR REPLACE FUNCTION chat.is_blank(value text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT value !~ '[^\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]' $$;
COMMENT ON FUNCTION chat.is_blank(text) IS
    'True when the text is empty or holds only white space (the Unicode White_Space characters, '
    'the same set Swift''s Character.isWhitespace uses). Used by the CHECKs on names, titles and bodies.';

CREATE OR REPLACE FUNCTION chat.rfc3339(ts timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;
COMMENT ON FUNCTION chat.rfc3339(timestamptz) IS
    'The API''s timestamp form: RFC 3339 in UTC with milliseconds (truncated), e.g. 2026-11-25T12:00:00.123Z. '
    'Every timestamp in a JSON payload built by the database goes through it.';

DO $$
BEGIN
    IF to_regtype('chat.entity_id') IS NULL THEN
        CREATE DOMAIN chat.entity_id AS text COLLATE "C"
            CONSTRAINT entity_id_format CHECK (VALUE ~ '^[A-Za-z0-9._:@-]{1,64}$');
    END IF;
END $$;
COMMENT ON DOMAIN chat.entity_id IS
    'An id owned by the backoffice platform (users, circles): 1 to 64 of A-Z a-z 0-9 . _ : @ -. '
    'Collation "C" so that ordering is byte order, the same as Swift''s < on these ASCII strings '
    '(the direct pair is stored low < high).';

-- ---------------------------------------------------------------------------------------------
-- Directory: users and circles, synced from the backoffice by the service key.

CREATE TABLE IF NOT EXISTS chat.users (
    id          chat.entity_id PRIMARY KEY,
    name        text NOT NULL
                CONSTRAINT users_name_length CHECK (char_length(name) BETWEEN 1 AND 200)
                CONSTRAINT users_name_not_blank CHECK (NOT chat.is_blank(name)),
    email       text NOT NULL
                CONSTRAINT users_email_length CHECK (char_length(email) BETWEEN 1 AND 320),
    avatar_url  text
                CONSTRAINT users_avatar_url_length CHECK (char_length(avatar_url) BETWEEN 1 AND 2048),
    role        text NOT NULL
                CONSTRAINT users_role_known CHECK (role IN ('admin', 'member')),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE chat.users IS
    'People who can chat, synced from the backoffice (PUT /v1/users/{id}). Never deleted: set active = false, '
    'which stops their sessions from authenticating and hides them from search.';
COMMENT ON COLUMN chat.users.id IS 'The backoffice''s user id (see domain chat.entity_id).';
COMMENT ON COLUMN chat.users.name IS 'Display name, 1-200 characters, not blank.';
COMMENT ON COLUMN chat.users.email IS 'Email address, shown in the start-chat dialog; searched by prefix.';
COMMENT ON COLUMN chat.users.avatar_url IS 'Picture URL, or NULL for none.';
COMMENT ON COLUMN chat.users.role IS 'admin (backoffice staff: starts chats, sees and sends in every circle chat) or member.';
COMMENT ON COLUMN chat.users.active IS 'False = deactivated: cannot authenticate, not found by search, cannot be given a new chat.';
COMMENT ON COLUMN chat.users.created_at IS 'When the user was first synced.';
COMMENT ON COLUMN chat.users.updated_at IS 'When a column last changed (kept by trigger users_touch_updated_at).';

CREATE TABLE IF NOT EXISTS chat.circles (
    id          chat.entity_id PRIMARY KEY,
    name        text NOT NULL
                CONSTRAINT circles_name_length CHECK (char_length(name) BETWEEN 1 AND 200)
                CONSTRAINT circles_name_not_blank CHECK (NOT chat.is_blank(name)),
    url         text
                CONSTRAINT circles_url_length CHECK (char_length(url) BETWEEN 1 AND 2048),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE chat.circles IS
    'Groups of users, synced from the backoffice (PUT /v1/circles/{id}). A circle has at most one chat '
    '(chat.conversations.circle_id).';
COMMENT ON COLUMN chat.circles.id IS 'The backoffice''s circle id (see domain chat.entity_id).';
COMMENT ON COLUMN chat.circles.name IS 'Display name, 1-200 characters; the title of its chat unless the chat has a custom title.';
COMMENT ON COLUMN chat.circles.url IS 'The circle''s page in the backoffice (the "View Circle" link), or NULL.';
COMMENT ON COLUMN chat.circles.created_at IS 'When the circle was first synced.';
COMMENT ON COLUMN chat.circles.updated_at IS 'When a column last changed (kept by trigger circles_touch_updated_at).';

CREATE TABLE IF NOT EXISTS chat.circle_members (
    circle_id   chat.entity_id NOT NULL REFERENCES chat.circles (id) ON DELETE CASCADE,
    user_id     chat.entity_id NOT NULL REFERENCES chat.users (id) ON DELETE CASCADE,
    added_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (circle_id, user_id)
);
CREATE INDEX IF NOT EXISTS circle_members_user_id_idx ON chat.circle_members (user_id);
COMMENT ON INDEX chat.circle_members_user_id_idx IS 'The circles of a user (the conversations a member sees).';
COMMENT ON TABLE chat.circle_members IS
    'Who is in which circle. The members of a circle are the participants of its chat, live: inserting or '
    'deleting a row grants or takes away access at once and emits member.added / member.removed. '
    'Rows are inserted and deleted, never updated.';
COMMENT ON COLUMN chat.circle_members.circle_id IS 'The circle.';
COMMENT ON COLUMN chat.circle_members.user_id IS 'The member.';
COMMENT ON COLUMN chat.circle_members.added_at IS 'When the membership row was inserted.';

-- ---------------------------------------------------------------------------------------------
-- Conversations, their messages and who has read what.

CREATE TABLE IF NOT EXISTS chat.conversations (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind              text NOT NULL
                      CONSTRAINT conversations_kind_known CHECK (kind IN ('direct', 'circle')),
    circle_id         chat.entity_id
                      CONSTRAINT conversations_circle_id_key UNIQUE
                      CONSTRAINT conversations_circle_id_fkey REFERENCES chat.circles (id),
    direct_user_low   chat.entity_id CONSTRAINT conversations_direct_user_low_fkey REFERENCES chat.users (id),
    direct_user_high  chat.entity_id CONSTRAINT conversations_direct_user_high_fkey REFERENCES chat.users (id),
    custom_title      text
                      CONSTRAINT conversations_custom_title_length CHECK (char_length(custom_title) BETWEEN 1 AND 200)
                      CONSTRAINT conversations_custom_title_not_blank CHECK (NOT chat.is_blank(custom_title)),
    send_policy       text NOT NULL DEFAULT 'all_members'
                      CONSTRAINT conversations_send_policy_known CHECK (send_policy IN ('all_members', 'admins_only')),
    created_by        chat.entity_id CONSTRAINT conversations_created_by_fkey REFERENCES chat.users (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_activity_at  timestamptz NOT NULL,
    last_seq          bigint NOT NULL DEFAULT 0 CONSTRAINT conversations_last_seq_not_negative CHECK (last_seq >= 0),
    last_message_id   bigint,
    CONSTRAINT conversations_circle_iff_circle_id CHECK ((kind = 'circle') = (circle_id IS NOT NULL)),
    CONSTRAINT conversations_direct_iff_pair CHECK (
        (kind = 'direct') = (direct_user_low IS NOT NULL)
        AND (kind = 'direct') = (direct_user_high IS NOT NULL)),
    CONSTRAINT conversations_direct_pair_ordered CHECK (direct_user_low < direct_user_high),
    CONSTRAINT conversations_direct_pair_key UNIQUE (direct_user_low, direct_user_high),
    CONSTRAINT conversations_custom_title_only_circle CHECK (kind = 'circle' OR custom_title IS NULL),
    CONSTRAINT conversations_direct_all_members CHECK (kind = 'circle' OR send_policy = 'all_members')
);
CREATE INDEX IF NOT EXISTS conversations_last_activity_idx
    ON chat.conversations (last_activity_at DESC, id DESC);
COMMENT ON INDEX chat.conversations_last_activity_idx IS 'The conversation list, newest activity first (id breaks ties for the cursor).';
COMMENT ON TABLE chat.conversations IS
    'One row per chat. kind = direct: exactly two participants (direct_user_low < direct_user_high, at most '
    'one conversation per pair; only they see it). kind = circle: the chat of circle_id (at most one per '
    'circle); its participants are the circle''s current members, and every admin sees it and may send. '
    'The row is also the per-conversation message counter (last_seq). Who sees what: view chat.conversation_access.';
COMMENT ON COLUMN chat.conversations.id IS 'Server-made UUID, the conversation id of the API.';
COMMENT ON COLUMN chat.conversations.kind IS 'direct (1:1) or circle (group chat of a circle).';
COMMENT ON COLUMN chat.conversations.circle_id IS 'The circle, for kind = circle (and only then); unique: one chat per circle.';
COMMENT ON COLUMN chat.conversations.direct_user_low IS 'For kind = direct: the participant whose id sorts first (byte order).';
COMMENT ON COLUMN chat.conversations.direct_user_high IS 'For kind = direct: the participant whose id sorts second.';
COMMENT ON COLUMN chat.conversations.custom_title IS 'Circle chats only: a title set by an admin; NULL means "use the circle''s name".';
COMMENT ON COLUMN chat.conversations.send_policy IS 'all_members (everyone who sees it may send) or admins_only (an announcement channel: members read only). Direct chats are always all_members.';
COMMENT ON COLUMN chat.conversations.created_by IS 'The admin who started the chat, or NULL (e.g. inserted by hand).';
COMMENT ON COLUMN chat.conversations.created_at IS 'When the chat was created.';
COMMENT ON COLUMN chat.conversations.last_activity_at IS 'created_at, then the newest message''s created_at (never moves back); the list order, newest first.';
COMMENT ON COLUMN chat.conversations.last_seq IS 'The seq of the last message: messages get seq = last_seq + 1 from an UPDATE of this row, which also serializes one conversation''s writers. Equals the number of messages sent.';
COMMENT ON COLUMN chat.conversations.last_message_id IS 'chat.messages.id of the message with the highest seq (the list preview), NULL before the first message. Kept by trigger.';

CREATE TABLE IF NOT EXISTS chat.direct_participants (
    conversation_id  uuid NOT NULL REFERENCES chat.conversations (id) ON DELETE CASCADE,
    user_id          chat.entity_id NOT NULL REFERENCES chat.users (id),
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX IF NOT EXISTS direct_participants_user_id_idx ON chat.direct_participants (user_id);
COMMENT ON INDEX chat.direct_participants_user_id_idx IS 'The direct chats of a user.';
COMMENT ON TABLE chat.direct_participants IS
    'The two participants of each direct conversation, one row each, filled by trigger from the pair in '
    'chat.conversations; it exists so "the direct chats of user X" is one index lookup.';
COMMENT ON COLUMN chat.direct_participants.conversation_id IS 'A direct conversation.';
COMMENT ON COLUMN chat.direct_participants.user_id IS 'One of its two participants.';

CREATE TABLE IF NOT EXISTS chat.messages (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id  uuid NOT NULL
                     CONSTRAINT messages_conversation_id_fkey REFERENCES chat.conversations (id),
    seq              bigint NOT NULL CONSTRAINT messages_seq_positive CHECK (seq >= 1),
    sender_id        chat.entity_id NOT NULL
                     CONSTRAINT messages_sender_id_fkey REFERENCES chat.users (id),
    body             text NOT NULL
                     CONSTRAINT messages_body_length CHECK (char_length(body) BETWEEN 1 AND 4000)
                     CONSTRAINT messages_body_not_blank CHECK (NOT chat.is_blank(body))
                     CONSTRAINT messages_body_no_control_characters
                         CHECK (body !~ '[\u0001-\u0008\u000b-\u001f\u007f-\u009f]'),
    client_id        text
                     CONSTRAINT messages_client_id_length CHECK (char_length(client_id) BETWEEN 1 AND 64),
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT messages_seq_key UNIQUE (conversation_id, seq),
    CONSTRAINT messages_client_id_key UNIQUE (conversation_id, sender_id, client_id)
);
COMMENT ON TABLE chat.messages IS
    'Every message. A plain INSERT (conversation_id, sender_id, body) is enough: a trigger gives it the next '
    'seq, moves the conversation''s last_activity_at / last_message_id, and writes the message.created event '
    'that streams it to every open page that may see it. Messages are not edited or deleted by the API.';
COMMENT ON COLUMN chat.messages.id IS 'Unique over all conversations; the API''s message id.';
COMMENT ON COLUMN chat.messages.conversation_id IS 'The conversation.';
COMMENT ON COLUMN chat.messages.seq IS '1, 2, 3... within the conversation, no gaps. Leave it NULL on insert: the trigger takes it from chat.conversations.last_seq. (The API supplies it, having advanced last_seq itself.)';
COMMENT ON COLUMN chat.messages.sender_id IS 'Who sent it. The API checks permission to send; the database does not.';
COMMENT ON COLUMN chat.messages.body IS 'The text: 1-4000 characters, not only white space, no control characters but tab and newline.';
COMMENT ON COLUMN chat.messages.client_id IS 'Optional id chosen by the sender''s client (1-64 characters) so a retried send is stored once: unique per (conversation, sender).';
COMMENT ON COLUMN chat.messages.created_at IS 'When it was sent (the transaction''s start time unless given).';

CREATE TABLE IF NOT EXISTS chat.read_markers (
    conversation_id  uuid NOT NULL REFERENCES chat.conversations (id) ON DELETE CASCADE,
    user_id          chat.entity_id NOT NULL REFERENCES chat.users (id) ON DELETE CASCADE,
    last_read_seq    bigint NOT NULL DEFAULT 0
                     CONSTRAINT read_markers_last_read_seq_not_negative CHECK (last_read_seq >= 0),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX IF NOT EXISTS read_markers_user_id_idx ON chat.read_markers (user_id);
COMMENT ON INDEX chat.read_markers_user_id_idx IS 'A user''s markers (unread totals for the nav badges).';
COMMENT ON TABLE chat.read_markers IS
    'How far each user has read each conversation. No row = nothing read. The API only moves a marker '
    'forward (POST .../read, and sending a message moves the sender''s own marker to it). '
    'Unread counts: view chat.unread_counts.';
COMMENT ON COLUMN chat.read_markers.conversation_id IS 'The conversation.';
COMMENT ON COLUMN chat.read_markers.user_id IS 'The reader.';
COMMENT ON COLUMN chat.read_markers.last_read_seq IS 'The highest seq the user has read; messages with a higher seq from others are unread.';
COMMENT ON COLUMN chat.read_markers.updated_at IS 'When the marker last moved.';

-- ---------------------------------------------------------------------------------------------
-- Sessions (user credentials).

CREATE TABLE IF NOT EXISTS chat.sessions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     chat.entity_id NOT NULL REFERENCES chat.users (id) ON DELETE CASCADE,
    token_hash  bytea NOT NULL
                CONSTRAINT sessions_token_hash_key UNIQUE
                CONSTRAINT sessions_token_hash_sha256 CHECK (octet_length(token_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    CONSTRAINT sessions_expire_after_creation CHECK (expires_at > created_at)
);
CREATE INDEX IF NOT EXISTS sessions_user_id_idx ON chat.sessions (user_id);
COMMENT ON INDEX chat.sessions_user_id_idx IS 'A user''s sessions (to revoke them all).';
COMMENT ON TABLE chat.sessions IS
    'User sessions minted by POST /v1/sessions or `chatctl token`. The token itself is never stored, only its '
    'SHA-256. A session authenticates while revoked_at IS NULL, expires_at is in the future and the user is '
    'active (view chat.active_sessions). Setting revoked_at (or deleting the row) closes its open streams.';
COMMENT ON COLUMN chat.sessions.id IS 'Session id (appears in session.revoked events, never a secret).';
COMMENT ON COLUMN chat.sessions.user_id IS 'Whose session.';
COMMENT ON COLUMN chat.sessions.token_hash IS 'SHA-256 of the bearer token''s UTF-8 text (32 bytes).';
COMMENT ON COLUMN chat.sessions.created_at IS 'When it was minted.';
COMMENT ON COLUMN chat.sessions.expires_at IS 'When it stops working (60 s to 30 days after creation; 24 h by default).';
COMMENT ON COLUMN chat.sessions.revoked_at IS 'When it was revoked (DELETE /v1/sessions/current), or NULL.';

-- ---------------------------------------------------------------------------------------------
-- The outbox: every change a stream must show, numbered in commit order.

CREATE TABLE IF NOT EXISTS chat.events (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pos              bigint CONSTRAINT events_pos_key UNIQUE
                     CONSTRAINT events_pos_positive CHECK (pos >= 1),
    type             text NOT NULL
                     CONSTRAINT events_type_known CHECK (type IN (
                         'message.created', 'conversation.created', 'conversation.updated',
                         'member.added', 'member.removed', 'read.updated', 'user.updated',
                         'session.revoked')),
    conversation_id  uuid,
    user_id          chat.entity_id,
    payload          jsonb NOT NULL DEFAULT '{}'
                     CONSTRAINT events_payload_object CHECK (jsonb_typeof(payload) = 'object'),
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    committed_at     timestamptz,
    CONSTRAINT events_pos_with_committed_at CHECK ((pos IS NULL) = (committed_at IS NULL)),
    CONSTRAINT events_type_columns CHECK (CASE
        WHEN type IN ('message.created', 'conversation.created', 'conversation.updated')
            THEN conversation_id IS NOT NULL
        WHEN type IN ('member.added', 'member.removed', 'read.updated')
            THEN conversation_id IS NOT NULL AND user_id IS NOT NULL
        ELSE user_id IS NOT NULL
    END)
);
CREATE INDEX IF NOT EXISTS events_unnumbered_idx ON chat.events (id) WHERE pos IS NULL;
COMMENT ON INDEX chat.events_unnumbered_idx IS 'The rows still waiting for a position: what the numbering at COMMIT scans.';
COMMENT ON TABLE chat.events IS
    'The outbox the gateways stream from. Triggers (and the API, for read.updated) insert rows with pos NULL; '
    'at COMMIT a deferred trigger numbers the transaction''s rows (pos: gap-free, growing in commit order) and '
    'rings pg_notify(''chat_events'', last pos). Gateways read WHERE pos > $last ORDER BY pos. No foreign keys: '
    'it is a log. Rows older than the retention window are deleted by `chatctl prune`.';
COMMENT ON COLUMN chat.events.id IS 'Insertion order (a sequence: NOT commit order; never use it as a cursor).';
COMMENT ON COLUMN chat.events.pos IS 'Position in the stream, set at commit: 1, 2, 3... in commit order, no gaps. The SSE event id. NULL only inside the inserting transaction.';
COMMENT ON COLUMN chat.events.type IS 'message.created, conversation.created, conversation.updated, member.added, member.removed, read.updated, user.updated or session.revoked.';
COMMENT ON COLUMN chat.events.conversation_id IS 'The conversation concerned (all types but user.updated and session.revoked).';
COMMENT ON COLUMN chat.events.user_id IS 'The user concerned: the member added/removed, the reader, the user updated, the session''s owner.';
COMMENT ON COLUMN chat.events.payload IS 'Type-specific JSON object: message.created {"conversation_id","message"}, read.updated {"conversation_id","last_read_seq","unread_count"}, user.updated {"role","active"}, session.revoked {"session_id"}; {} otherwise.';
COMMENT ON COLUMN chat.events.created_at IS 'When the row was inserted (clock time).';
COMMENT ON COLUMN chat.events.committed_at IS 'When its transaction committed (clock time at numbering); the retention job deletes by it.';

CREATE TABLE IF NOT EXISTS chat.event_counter (
    last_pos  bigint NOT NULL DEFAULT 0 CONSTRAINT event_counter_not_negative CHECK (last_pos >= 0)
);
CREATE UNIQUE INDEX IF NOT EXISTS event_counter_single_row ON chat.event_counter ((true));
COMMENT ON INDEX chat.event_counter_single_row IS 'Keeps chat.event_counter at one row.';
INSERT INTO chat.event_counter (last_pos)
    SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM chat.event_counter);
COMMENT ON TABLE chat.event_counter IS
    'Exactly one row: the last pos given to an event. Locked only at COMMIT by the numbering trigger, from '
    'numbering until the commit is visible, which is what makes positions follow commit order. Never edit it.';
COMMENT ON COLUMN chat.event_counter.last_pos IS 'The highest chat.events.pos handed out so far.';
