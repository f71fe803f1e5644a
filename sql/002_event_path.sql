-- 002_event_path: the triggers that keep conversations current and feed chat.events, the
-- commit-time numbering of events, and the JSON the database builds for the stream.
--
-- The path: a write (API or plain SQL) fires a trigger that inserts a chat.events row with pos NULL
-- in the same transaction. At COMMIT, the deferred constraint trigger events_assign_positions numbers
-- all of the transaction's events at once under the single chat.event_counter row lock, and sends one
-- pg_notify('chat_events', <last pos>). A transaction left open holds no counter lock until it commits.
-- Idempotent: functions are CREATE OR REPLACE, triggers are dropped and created again.

-- The IF NOT EXISTS / DROP ... IF EXISTS notices of a re-run are noise.
SET LOCAL client_min_messages = warning;

-- ---------------------------------------------------------------------------------------------
-- JSON shared by triggers, the API and the gateway.

CREATE OR REPLACE FUNCTION chat.body_preview(body text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT left(btrim(regexp_replace(body, '[\t\n ]+', ' ', 'g')), 140) $$;
COMMENT ON FUNCTION chat.body_preview(text) IS
    'The list preview of a message body: runs of spaces, tabs and newlines folded into one space, trimmed, '
    'then the first 140 characters.';

CREATE OR REPLACE FUNCTION chat.conversation_json(conversation uuid) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT jsonb_build_object(
        'id', c.id::text,
        'kind', c.kind,
        'custom_title', c.custom_title,
        'circle', CASE WHEN ci.id IS NULL THEN NULL
                       ELSE jsonb_build_object('id', ci.id, 'name', ci.name, 'url', ci.url) END,
        'participants', CASE WHEN c.kind = 'direct' THEN (
            SELECT jsonb_agg(jsonb_build_object(
                       'id', u.id, 'name', u.name, 'email', u.email, 'avatar_url', u.avatar_url)
                   ORDER BY u.id)
              FROM chat.users u
             WHERE u.id IN (c.direct_user_low, c.direct_user_high))
            ELSE '[]'::jsonb END,
        'member_count', CASE WHEN c.kind = 'direct' THEN 2 ELSE (
            SELECT count(*) FROM chat.circle_members cm WHERE cm.circle_id = c.circle_id) END,
        'send_policy', c.send_policy,
        'created_at', chat.rfc3339(c.created_at),
        'last_activity_at', chat.rfc3339(c.last_activity_at),
        'last_message', (
            SELECT jsonb_build_object(
                       'id', m.id,
                       'seq', m.seq,
                       'sender', jsonb_build_object('id', s.id, 'name', s.name, 'avatar_url', s.avatar_url),
                       'body_preview', chat.body_preview(m.body),
                       'created_at', chat.rfc3339(m.created_at))
              FROM chat.messages m
              JOIN chat.users s ON s.id = m.sender_id
             WHERE m.id = c.last_message_id))
      FROM chat.conversations c
      LEFT JOIN chat.circles ci ON ci.id = c.circle_id
     WHERE c.id = conversation
    $$;
COMMENT ON FUNCTION chat.conversation_json(uuid) IS
    'The viewer-neutral conversation: {"id","kind","custom_title","circle":{"id","name","url"}|null,'
    '"participants":[{"id","name","email","avatar_url"}] (direct: both, ordered by id; circle: []),'
    '"member_count","send_policy","created_at","last_activity_at",'
    '"last_message":{"id","seq","sender":{"id","name","avatar_url"},"body_preview","created_at"}|null}. '
    'The services add the per-viewer fields (title, peer, can_send, unread). NULL for an unknown id.';

-- ---------------------------------------------------------------------------------------------
-- Events: numbering at commit.

CREATE OR REPLACE FUNCTION chat.events_note_first_id() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    known_first bigint := nullif(current_setting('chat.events_first_id', true), '')::bigint;
    statement_first bigint;
BEGIN
    SELECT min(id) INTO statement_first FROM inserted_events;
    IF statement_first IS NOT NULL AND (known_first IS NULL OR statement_first < known_first) THEN
        PERFORM set_config('chat.events_first_id', statement_first::text, true);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION chat.events_note_first_id() IS
    'Remembers, in the transaction-local setting chat.events_first_id, the smallest chat.events.id this '
    'transaction inserted, so the numbering at commit scans only from there (index entries of other '
    'transactions'' numbered rows that a long-open snapshot keeps alive are then never revisited).';

CREATE OR REPLACE FUNCTION chat.events_assign_positions() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    numbered_through bigint := nullif(current_setting('chat.events_numbered', true), '')::bigint;
    first_id bigint := coalesce(nullif(current_setting('chat.events_first_id', true), '')::bigint, NEW.id);
    base_pos bigint;
    numbered_count bigint;
    top_id bigint;
    top_pos bigint;
BEGIN
    -- Every event row queues one firing; the first one numbers them all, the rest stop here.
    IF NEW.id <= numbered_through THEN
        RETURN NULL;
    END IF;

    -- The counter row lock is held from here until this transaction's commit is visible, so the
    -- next transaction to number events starts after us: positions follow commit order.
    SELECT last_pos INTO base_pos FROM chat.event_counter FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'chat.event_counter has no row: events cannot be numbered'
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;

    -- The unnumbered rows this statement can see are this transaction's own: other transactions'
    -- uncommitted rows are invisible, and committed rows were numbered before their commit.
    WITH pending AS (
        SELECT id, row_number() OVER (ORDER BY id) AS rank
          FROM chat.events
         WHERE pos IS NULL AND id >= first_id
    ), numbered AS (
        UPDATE chat.events e
           SET pos = base_pos + p.rank, committed_at = clock_timestamp()
          FROM pending p
         WHERE e.id = p.id
        RETURNING e.id, e.pos
    )
    SELECT count(*), max(id), max(pos) INTO numbered_count, top_id, top_pos FROM numbered;

    IF numbered_count > 0 THEN
        UPDATE chat.event_counter SET last_pos = top_pos;
        PERFORM pg_notify('chat_events', top_pos::text);
        PERFORM set_config('chat.events_numbered', top_id::text, true);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION chat.events_assign_positions() IS
    'Deferred to COMMIT: gives this transaction''s events consecutive positions (in id order) after '
    'chat.event_counter.last_pos, stamps committed_at, and sends one pg_notify(''chat_events'', last pos). '
    'Runs its work once per transaction (transaction-local setting chat.events_numbered).';

DROP TRIGGER IF EXISTS events_note_first_id ON chat.events;
CREATE TRIGGER events_note_first_id
    AFTER INSERT ON chat.events
    REFERENCING NEW TABLE AS inserted_events
    FOR EACH STATEMENT EXECUTE FUNCTION chat.events_note_first_id();
COMMENT ON TRIGGER events_note_first_id ON chat.events IS
    'Notes the transaction''s first event id for events_assign_positions.';

DROP TRIGGER IF EXISTS events_assign_positions ON chat.events;
CREATE CONSTRAINT TRIGGER events_assign_positions
    AFTER INSERT ON chat.events
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION chat.events_assign_positions();
COMMENT ON TRIGGER events_assign_positions ON chat.events IS
    'Numbers the transaction''s events at COMMIT (see function chat.events_assign_positions).';

-- ---------------------------------------------------------------------------------------------
-- Messages: seq, conversation bookkeeping, message.created.

CREATE OR REPLACE FUNCTION chat.messages_assign_seq() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.seq IS NOT NULL OR NEW.conversation_id IS NULL THEN
        RETURN NEW;
    END IF;
    UPDATE chat.conversations SET last_seq = last_seq + 1
     WHERE id = NEW.conversation_id
    RETURNING last_seq INTO NEW.seq;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'insert or update on table "messages" violates foreign key constraint "messages_conversation_id_fkey"'
            USING ERRCODE = 'foreign_key_violation', SCHEMA = 'chat', TABLE = 'messages',
                  CONSTRAINT = 'messages_conversation_id_fkey',
                  DETAIL = format('Key (conversation_id)=(%s) is not present in table "conversations".', NEW.conversation_id);
    END IF;
    -- Checked under the conversation's row lock and before the statement can swallow a conflict
    -- (ON CONFLICT DO NOTHING), so a repeated client_id never leaves a hole in seq.
    IF NEW.client_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM chat.messages m
         WHERE m.conversation_id = NEW.conversation_id
           AND m.sender_id = NEW.sender_id
           AND m.client_id = NEW.client_id) THEN
        RAISE EXCEPTION 'duplicate key value violates unique constraint "messages_client_id_key"'
            USING ERRCODE = 'unique_violation', SCHEMA = 'chat', TABLE = 'messages',
                  CONSTRAINT = 'messages_client_id_key',
                  DETAIL = format('Key (conversation_id, sender_id, client_id)=(%s, %s, %s) already exists.',
                                  NEW.conversation_id, NEW.sender_id, NEW.client_id);
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION chat.messages_assign_seq() IS
    'BEFORE INSERT on chat.messages: when seq is NULL, takes the next one from chat.conversations.last_seq '
    '(locking the conversation row until commit) and refuses a repeated client_id before the seq is spent.';

DROP TRIGGER IF EXISTS messages_assign_seq ON chat.messages;
CREATE TRIGGER messages_assign_seq
    BEFORE INSERT ON chat.messages
    FOR EACH ROW EXECUTE FUNCTION chat.messages_assign_seq();
COMMENT ON TRIGGER messages_assign_seq ON chat.messages IS 'Gives a message inserted without seq the next seq of its conversation.';

CREATE OR REPLACE FUNCTION chat.messages_after_insert() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    ahead record;
BEGIN
    WITH newest AS (
        SELECT DISTINCT ON (conversation_id)
               conversation_id, id AS message_id, seq AS max_seq,
               max(created_at) OVER (PARTITION BY conversation_id) AS newest_at
          FROM inserted_messages
         ORDER BY conversation_id, seq DESC
    ), moved AS (
        UPDATE chat.conversations c
           SET last_activity_at = greatest(c.last_activity_at, n.newest_at),
               last_message_id = n.message_id
          FROM newest n
         WHERE c.id = n.conversation_id
        RETURNING c.id, c.last_seq, n.max_seq
    )
    SELECT * INTO ahead FROM moved WHERE max_seq > last_seq LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'message seq % is ahead of chat.conversations.last_seq % for conversation %',
                        ahead.max_seq, ahead.last_seq, ahead.id
            USING ERRCODE = 'check_violation', SCHEMA = 'chat', TABLE = 'messages',
                  HINT = 'Leave seq NULL (the trigger assigns it), or advance last_seq first.';
    END IF;

    INSERT INTO chat.events (type, conversation_id, payload)
    SELECT 'message.created', m.conversation_id,
           jsonb_build_object(
               'conversation_id', m.conversation_id::text,
               'message', jsonb_build_object(
                   'id', m.id,
                   'conversation_id', m.conversation_id::text,
                   'seq', m.seq,
                   'sender', jsonb_build_object('id', u.id, 'name', u.name, 'avatar_url', u.avatar_url),
                   'body', m.body,
                   'client_id', m.client_id,
                   'created_at', chat.rfc3339(m.created_at)))
      FROM inserted_messages m
      JOIN chat.users u ON u.id = m.sender_id
     ORDER BY m.conversation_id, m.seq;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION chat.messages_after_insert() IS
    'AFTER INSERT (per statement) on chat.messages: per conversation, moves last_activity_at and '
    'last_message_id and refuses a seq beyond last_seq; then one INSERT of message.created events '
    '(payload {"conversation_id","message"} = the API''s Message object), in (conversation_id, seq) order.';

DROP TRIGGER IF EXISTS messages_after_insert ON chat.messages;
CREATE TRIGGER messages_after_insert
    AFTER INSERT ON chat.messages
    REFERENCING NEW TABLE AS inserted_messages
    FOR EACH STATEMENT EXECUTE FUNCTION chat.messages_after_insert();
COMMENT ON TRIGGER messages_after_insert ON chat.messages IS 'Updates the conversations and writes message.created events.';

-- ---------------------------------------------------------------------------------------------
-- Conversations.

CREATE OR REPLACE FUNCTION chat.conversations_before_insert() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.last_activity_at := coalesce(NEW.last_activity_at, NEW.created_at);
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION chat.conversations_before_insert() IS 'last_activity_at starts as created_at unless given.';

DROP TRIGGER IF EXISTS conversations_before_insert ON chat.conversations;
CREATE TRIGGER conversations_before_insert
    BEFORE INSERT ON chat.conversations
    FOR EACH ROW EXECUTE FUNCTION chat.conversations_before_insert();
COMMENT ON TRIGGER conversations_before_insert ON chat.conversations IS 'Defaults last_activity_at to created_at.';

CREATE OR REPLACE FUNCTION chat.conversations_after_insert() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.kind = 'direct' THEN
        INSERT INTO chat.direct_participants (conversation_id, user_id)
        VALUES (NEW.id, NEW.direct_user_low), (NEW.id, NEW.direct_user_high);
    END IF;
    INSERT INTO chat.events (type, conversation_id) VALUES ('conversation.created', NEW.id);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION chat.conversations_after_insert() IS
    'AFTER INSERT on chat.conversations: the two direct_participants rows of a direct chat, and a conversation.created event.';

DROP TRIGGER IF EXISTS conversations_after_insert ON chat.conversations;
CREATE TRIGGER conversations_after_insert
    AFTER INSERT ON chat.conversations
    FOR EACH ROW EXECUTE FUNCTION chat.conversations_after_insert();
COMMENT ON TRIGGER conversations_after_insert ON chat.conversations IS 'Fills direct_participants and emits conversation.created.';

CREATE OR REPLACE FUNCTION chat.conversation_updated_event() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO chat.events (type, conversation_id) VALUES ('conversation.updated', NEW.id);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION chat.conversation_updated_event() IS 'Emits conversation.updated for the changed conversation row.';

DROP TRIGGER IF EXISTS conversations_after_update ON chat.conversations;
CREATE TRIGGER conversations_after_update
    AFTER UPDATE OF custom_title, send_policy ON chat.conversations
    FOR EACH ROW
    WHEN (OLD.custom_title IS DISTINCT FROM NEW.custom_title OR OLD.send_policy IS DISTINCT FROM NEW.send_policy)
    EXECUTE FUNCTION chat.conversation_updated_event();
COMMENT ON TRIGGER conversations_after_update ON chat.conversations IS
    'conversation.updated when the title or send policy changes (never for last_seq / last_activity_at).';

CREATE OR REPLACE FUNCTION chat.reject_key_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0]
        USING ERRCODE = 'feature_not_supported', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME;
END
$$;
COMMENT ON FUNCTION chat.reject_key_update() IS
    'Refuses an UPDATE that would change who a row is about (its argument is the message). Such a change '
    'would silently bypass the membership events; delete and insert instead.';

DROP TRIGGER IF EXISTS conversations_identity_fixed ON chat.conversations;
CREATE TRIGGER conversations_identity_fixed
    BEFORE UPDATE OF kind, circle_id, direct_user_low, direct_user_high ON chat.conversations
    FOR EACH ROW
    WHEN (OLD.kind IS DISTINCT FROM NEW.kind OR OLD.circle_id IS DISTINCT FROM NEW.circle_id
          OR OLD.direct_user_low IS DISTINCT FROM NEW.direct_user_low
          OR OLD.direct_user_high IS DISTINCT FROM NEW.direct_user_high)
    EXECUTE FUNCTION chat.reject_key_update('a conversation''s kind, circle and participants cannot change');
COMMENT ON TRIGGER conversations_identity_fixed ON chat.conversations IS 'kind, circle_id and the direct pair are fixed at creation.';

-- ---------------------------------------------------------------------------------------------
-- Circles: a rename changes the title of its chat.

CREATE OR REPLACE FUNCTION chat.circles_after_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO chat.events (type, conversation_id)
    SELECT 'conversation.updated', c.id FROM chat.conversations c WHERE c.circle_id = NEW.id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION chat.circles_after_update() IS 'Emits conversation.updated for the chat of a renamed circle, if it has one.';

DROP TRIGGER IF EXISTS circles_after_update ON chat.circles;
CREATE TRIGGER circles_after_update
    AFTER UPDATE OF name, url ON chat.circles
    FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.url IS DISTINCT FROM NEW.url)
    EXECUTE FUNCTION chat.circles_after_update();
COMMENT ON TRIGGER circles_after_update ON chat.circles IS 'The circle''s name and url are part of its chat: streams get conversation.updated.';

-- ---------------------------------------------------------------------------------------------
-- Circle membership (statement-level: a membership replace is one statement, one event insert).

CREATE OR REPLACE FUNCTION chat.circle_members_after_insert() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO chat.events (type, conversation_id, user_id)
    SELECT 'member.added', c.id, n.user_id
      FROM inserted_members n
      JOIN chat.conversations c ON c.circle_id = n.circle_id
     ORDER BY c.id, n.user_id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION chat.circle_members_after_insert() IS 'member.added for each new member of a circle that has a chat.';

DROP TRIGGER IF EXISTS circle_members_after_insert ON chat.circle_members;
CREATE TRIGGER circle_members_after_insert
    AFTER INSERT ON chat.circle_members
    REFERENCING NEW TABLE AS inserted_members
    FOR EACH STATEMENT EXECUTE FUNCTION chat.circle_members_after_insert();
COMMENT ON TRIGGER circle_members_after_insert ON chat.circle_members IS 'Emits member.added (when the circle has a chat).';

CREATE OR REPLACE FUNCTION chat.circle_members_after_delete() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO chat.events (type, conversation_id, user_id)
    SELECT 'member.removed', c.id, o.user_id
      FROM removed_members o
      JOIN chat.conversations c ON c.circle_id = o.circle_id
     ORDER BY c.id, o.user_id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION chat.circle_members_after_delete() IS 'member.removed for each removed member of a circle that has a chat.';

DROP TRIGGER IF EXISTS circle_members_after_delete ON chat.circle_members;
CREATE TRIGGER circle_members_after_delete
    AFTER DELETE ON chat.circle_members
    REFERENCING OLD TABLE AS removed_members
    FOR EACH STATEMENT EXECUTE FUNCTION chat.circle_members_after_delete();
COMMENT ON TRIGGER circle_members_after_delete ON chat.circle_members IS 'Emits member.removed (when the circle has a chat).';

DROP TRIGGER IF EXISTS circle_members_key_fixed ON chat.circle_members;
CREATE TRIGGER circle_members_key_fixed
    BEFORE UPDATE OF circle_id, user_id ON chat.circle_members
    FOR EACH ROW
    WHEN (OLD.circle_id IS DISTINCT FROM NEW.circle_id OR OLD.user_id IS DISTINCT FROM NEW.user_id)
    EXECUTE FUNCTION chat.reject_key_update('membership rows are not updated in place: delete the old row and insert the new one');
COMMENT ON TRIGGER circle_members_key_fixed ON chat.circle_members IS 'Membership changes go through INSERT/DELETE so that they emit events.';

-- ---------------------------------------------------------------------------------------------
-- Users and circles: updated_at; users: role / active changes.

CREATE OR REPLACE FUNCTION chat.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION chat.touch_updated_at() IS 'BEFORE UPDATE: sets updated_at when the row really changes.';

DROP TRIGGER IF EXISTS users_touch_updated_at ON chat.users;
CREATE TRIGGER users_touch_updated_at
    BEFORE UPDATE ON chat.users
    FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW)
    EXECUTE FUNCTION chat.touch_updated_at();
COMMENT ON TRIGGER users_touch_updated_at ON chat.users IS 'Keeps updated_at.';

DROP TRIGGER IF EXISTS circles_touch_updated_at ON chat.circles;
CREATE TRIGGER circles_touch_updated_at
    BEFORE UPDATE ON chat.circles
    FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW)
    EXECUTE FUNCTION chat.touch_updated_at();
COMMENT ON TRIGGER circles_touch_updated_at ON chat.circles IS 'Keeps updated_at.';

CREATE OR REPLACE FUNCTION chat.users_after_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO chat.events (type, user_id, payload)
    VALUES ('user.updated', NEW.id, jsonb_build_object('role', NEW.role, 'active', NEW.active));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION chat.users_after_update() IS 'Emits user.updated {"role","active"} (gateways refresh the admin set, close a deactivated user''s streams).';

DROP TRIGGER IF EXISTS users_after_update ON chat.users;
CREATE TRIGGER users_after_update
    AFTER UPDATE OF role, active ON chat.users
    FOR EACH ROW
    WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.active IS DISTINCT FROM NEW.active)
    EXECUTE FUNCTION chat.users_after_update();
COMMENT ON TRIGGER users_after_update ON chat.users IS 'user.updated when role or active changes.';

-- ---------------------------------------------------------------------------------------------
-- Sessions: revocation closes streams.

CREATE OR REPLACE FUNCTION chat.sessions_revoked_event() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    session chat.sessions;
BEGIN
    IF TG_OP = 'DELETE' THEN
        session := OLD;
    ELSE
        session := NEW;
    END IF;
    INSERT INTO chat.events (type, user_id, payload)
    VALUES ('session.revoked', session.user_id, jsonb_build_object('session_id', session.id));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION chat.sessions_revoked_event() IS 'Emits session.revoked {"session_id"} for the session''s user (gateways close that session''s streams).';

DROP TRIGGER IF EXISTS sessions_after_revoke ON chat.sessions;
CREATE TRIGGER sessions_after_revoke
    AFTER UPDATE OF revoked_at ON chat.sessions
    FOR EACH ROW
    WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
    EXECUTE FUNCTION chat.sessions_revoked_event();
COMMENT ON TRIGGER sessions_after_revoke ON chat.sessions IS 'session.revoked when revoked_at is first set.';

DROP TRIGGER IF EXISTS sessions_after_delete ON chat.sessions;
CREATE TRIGGER sessions_after_delete
    AFTER DELETE ON chat.sessions
    FOR EACH ROW
    WHEN (OLD.revoked_at IS NULL AND OLD.expires_at > now())
    EXECUTE FUNCTION chat.sessions_revoked_event();
COMMENT ON TRIGGER sessions_after_delete ON chat.sessions IS 'Deleting a live session revokes it too (session.revoked).';

-- ---------------------------------------------------------------------------------------------
-- Starting a direct chat without races.

CREATE OR REPLACE FUNCTION chat.open_direct_conversation(
    user_a text, user_b text, started_by text,
    OUT conversation_id uuid, OUT created boolean)
    LANGUAGE plpgsql
    AS $$
DECLARE
    low text := least(user_a COLLATE "C", user_b COLLATE "C");
    high text := greatest(user_a COLLATE "C", user_b COLLATE "C");
BEGIN
    INSERT INTO chat.conversations AS c (kind, direct_user_low, direct_user_high, created_by)
    VALUES ('direct', low, high, started_by)
    ON CONFLICT (direct_user_low, direct_user_high) DO NOTHING
    RETURNING c.id INTO conversation_id;
    created := conversation_id IS NOT NULL;
    IF NOT created THEN
        SELECT c.id INTO conversation_id
          FROM chat.conversations c
         WHERE c.direct_user_low = low AND c.direct_user_high = high;
    END IF;
END
$$;
COMMENT ON FUNCTION chat.open_direct_conversation(text, text, text) IS
    'The direct conversation of a pair of users (either order): creates it (created = true) or returns the '
    'existing one (created = false). Safe under concurrency in READ COMMITTED: two callers get the same id. '
    'It does not check that the users are active or different people''s (a pair of one user fails the CHECK).';
