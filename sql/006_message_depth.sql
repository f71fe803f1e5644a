-- 006_message_depth: messages people can fix (edit, delete, reply, react) and system messages in
-- the timeline (API.md, "Messages: edit, delete, reply, react, system messages").
--
-- An existing database upgrades in place, keeping every message: the new columns have defaults
-- that describe the old rows (kind 'user', never edited or deleted, no reply).
-- Idempotent like the files before it: ADD ... IF NOT EXISTS, constraints dropped and added
-- again, functions CREATE OR REPLACE, triggers dropped and created again.
--
-- Who did it: the API runs `SELECT set_config('chat.actor_id', <user id>, true)` in the
-- transaction of an edit, a deletion or a chat change; the triggers below read it to name the
-- actor (a DBA's plain SQL leaves it unset: no actor).

-- The IF NOT EXISTS / DROP ... IF EXISTS notices of a re-run are noise.
SET LOCAL client_min_messages = warning;

-- ---------------------------------------------------------------------------------------------
-- chat.messages: kind, system facts, reply, edit and deletion. The body rules of 001 now hold
-- for messages that are not deleted; a deleted one has the empty body.

ALTER TABLE chat.messages
    ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'user',
    ADD COLUMN IF NOT EXISTS system jsonb,
    ADD COLUMN IF NOT EXISTS reply_to bigint,
    ADD COLUMN IF NOT EXISTS edited_at timestamptz,
    ADD COLUMN IF NOT EXISTS deleted_at timestamptz,
    ADD COLUMN IF NOT EXISTS deleted_by chat.entity_id;
ALTER TABLE chat.messages ALTER COLUMN sender_id DROP NOT NULL;

ALTER TABLE chat.messages
    DROP CONSTRAINT IF EXISTS messages_body_length,
    DROP CONSTRAINT IF EXISTS messages_body_not_blank,
    DROP CONSTRAINT IF EXISTS messages_deleted_body_empty,
    DROP CONSTRAINT IF EXISTS messages_kind_known,
    DROP CONSTRAINT IF EXISTS messages_sender_iff_user,
    DROP CONSTRAINT IF EXISTS messages_system_iff_facts,
    DROP CONSTRAINT IF EXISTS messages_system_fixed,
    DROP CONSTRAINT IF EXISTS messages_deleted_by_when_deleted,
    DROP CONSTRAINT IF EXISTS messages_reply_to_fkey,
    DROP CONSTRAINT IF EXISTS messages_deleted_by_fkey;
ALTER TABLE chat.messages
    ADD CONSTRAINT messages_body_length CHECK (deleted_at IS NOT NULL OR char_length(body) BETWEEN 1 AND 4000),
    ADD CONSTRAINT messages_body_not_blank CHECK (deleted_at IS NOT NULL OR NOT chat.is_blank(body)),
    ADD CONSTRAINT messages_deleted_body_empty CHECK (deleted_at IS NULL OR body = ''),
    ADD CONSTRAINT messages_kind_known CHECK (kind IN ('user', 'system')),
    ADD CONSTRAINT messages_sender_iff_user CHECK ((kind = 'user') = (sender_id IS NOT NULL)),
    ADD CONSTRAINT messages_system_iff_facts CHECK (
        (kind = 'system') = (system IS NOT NULL) AND (system IS NULL OR jsonb_typeof(system) = 'object')),
    ADD CONSTRAINT messages_system_fixed CHECK (
        kind = 'user' OR (reply_to IS NULL AND edited_at IS NULL AND deleted_at IS NULL AND client_id IS NULL)),
    ADD CONSTRAINT messages_deleted_by_when_deleted CHECK (deleted_by IS NULL OR deleted_at IS NOT NULL),
    ADD CONSTRAINT messages_reply_to_fkey FOREIGN KEY (reply_to) REFERENCES chat.messages (id),
    ADD CONSTRAINT messages_deleted_by_fkey FOREIGN KEY (deleted_by) REFERENCES chat.users (id);

CREATE INDEX IF NOT EXISTS messages_uncounted_idx ON chat.messages (conversation_id, seq)
    WHERE kind = 'system' OR deleted_at IS NOT NULL;
COMMENT ON INDEX chat.messages_uncounted_idx IS
    'The messages that never count as unread (system messages, deleted ones): chat.unread_count subtracts '
    'those after a marker, reading only them, never the conversation''s other messages.';

COMMENT ON TABLE chat.messages IS
    'Every message. A plain INSERT (conversation_id, sender_id, body) is enough: a trigger gives it the next '
    'seq, moves the conversation''s last_activity_at / last_message_id, and writes the message.created event '
    'that streams it to every open page that may see it. UPDATE of body is an edit (edited_at set, the old '
    'body kept in chat.message_revisions, message.updated streamed); setting deleted_at (or a plain DELETE, '
    'which is turned into that) deletes it: the body is emptied here and in the revisions, its reactions go, '
    'message.deleted is streamed, and the row stays so seqs keep no gaps. kind = system rows are written by '
    'the server (chat.post_system_message) and cannot be edited or deleted.';
COMMENT ON COLUMN chat.messages.sender_id IS 'Who sent it (NULL exactly for system messages). The API checks permission to send; the database does not.';
COMMENT ON COLUMN chat.messages.body IS
    'The text: 1-4000 characters, not only white space, no control characters but tab and newline; '
    '''''(empty) once deleted: the text is removed, not hidden. A system message''s body is a readable sentence.';
COMMENT ON COLUMN chat.messages.kind IS 'user (sent by a person) or system (written by the server: chat created, renamed, policy or membership changed).';
COMMENT ON COLUMN chat.messages.system IS
    'System messages only: the facts, {"type": chat_created|title_changed|policy_changed|members_added|members_removed, '
    '"actor"?: {"id","name"}, "users"?: [{"id","name"}] (at most 50), "count"?, "title"?, "send_policy"?}. NULL on user messages.';
COMMENT ON COLUMN chat.messages.reply_to IS 'The message this one quotes (same conversation, checked by the API), or NULL.';
COMMENT ON COLUMN chat.messages.edited_at IS 'When the body last changed (set by trigger on any UPDATE of body), or NULL if never edited.';
COMMENT ON COLUMN chat.messages.deleted_at IS 'When it was deleted, or NULL. Set it (UPDATE ... SET deleted_at = now()) to delete: the trigger empties the body.';
COMMENT ON COLUMN chat.messages.deleted_by IS 'Who deleted it: the sender, or an admin moderating; NULL when deleted by plain SQL.';

-- ---------------------------------------------------------------------------------------------
-- Revisions and reactions.

CREATE TABLE IF NOT EXISTS chat.message_revisions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id   bigint NOT NULL CONSTRAINT message_revisions_message_id_fkey REFERENCES chat.messages (id),
    body         text,
    edited_by    chat.entity_id CONSTRAINT message_revisions_edited_by_fkey REFERENCES chat.users (id),
    replaced_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS message_revisions_message_id_idx ON chat.message_revisions (message_id, id);
COMMENT ON INDEX chat.message_revisions_message_id_idx IS 'The revisions of a message, oldest first.';
COMMENT ON TABLE chat.message_revisions IS
    'Audit of edits: one row per edit of a message, holding the body it replaced (written by trigger on '
    'UPDATE of chat.messages.body). Deleting the message empties body here too (the text is gone, the dates stay). '
    'E.g. SELECT * FROM chat.message_revisions WHERE message_id = 42 ORDER BY id.';
COMMENT ON COLUMN chat.message_revisions.id IS 'Edit order.';
COMMENT ON COLUMN chat.message_revisions.message_id IS 'The edited message.';
COMMENT ON COLUMN chat.message_revisions.body IS 'The body before this edit; NULL once the message is deleted.';
COMMENT ON COLUMN chat.message_revisions.edited_by IS 'Who edited (the sender, through the API); NULL for a plain SQL UPDATE.';
COMMENT ON COLUMN chat.message_revisions.replaced_at IS 'When the edit happened (the message''s edited_at at that time).';

CREATE TABLE IF NOT EXISTS chat.message_reactions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id  bigint NOT NULL CONSTRAINT message_reactions_message_id_fkey REFERENCES chat.messages (id),
    user_id     chat.entity_id NOT NULL CONSTRAINT message_reactions_user_id_fkey REFERENCES chat.users (id),
    emoji       text NOT NULL
                CONSTRAINT message_reactions_emoji_form
                    CHECK (char_length(emoji) BETWEEN 1 AND 34 AND emoji !~ '[[:space:][:cntrl:]]'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT message_reactions_key UNIQUE (message_id, emoji, user_id)
);
COMMENT ON TABLE chat.message_reactions IS
    'Reactions: one row per (message, emoji, user). At most 20 distinct emoji per message, none on a deleted or '
    'system message (trigger message_reactions_after_insert). Inserting or deleting a row streams reaction.added / '
    'reaction.removed with the emoji''s new count.';
COMMENT ON COLUMN chat.message_reactions.id IS 'Insertion order: a message''s reactions are listed by each emoji''s first (lowest) id.';
COMMENT ON COLUMN chat.message_reactions.message_id IS 'The message reacted to.';
COMMENT ON COLUMN chat.message_reactions.user_id IS 'Who reacted.';
COMMENT ON COLUMN chat.message_reactions.emoji IS 'The emoji (1-8 Unicode scalar values) or a shortcode :name:, as the API validated it.';
COMMENT ON COLUMN chat.message_reactions.created_at IS 'When the reaction was added.';

-- ---------------------------------------------------------------------------------------------
-- chat.events: the new types.

ALTER TABLE chat.events
    DROP CONSTRAINT IF EXISTS events_type_known,
    DROP CONSTRAINT IF EXISTS events_type_columns;
-- NOT VALID: the rows already there passed the narrower checks these replace.
ALTER TABLE chat.events
    ADD CONSTRAINT events_type_known CHECK (type IN (
        'message.created', 'message.updated', 'message.deleted', 'reaction.added', 'reaction.removed',
        'conversation.created', 'conversation.updated',
        'member.added', 'member.removed', 'read.updated', 'user.updated', 'session.revoked')) NOT VALID,
    ADD CONSTRAINT events_type_columns CHECK (CASE
        WHEN type IN ('message.created', 'message.updated', 'message.deleted', 'reaction.added',
                      'reaction.removed', 'conversation.created', 'conversation.updated')
            THEN conversation_id IS NOT NULL
        WHEN type IN ('member.added', 'member.removed', 'read.updated')
            THEN conversation_id IS NOT NULL AND user_id IS NOT NULL
        ELSE user_id IS NOT NULL
    END) NOT VALID;
COMMENT ON COLUMN chat.events.type IS
    'message.created, message.updated, message.deleted, reaction.added, reaction.removed, conversation.created, '
    'conversation.updated, member.added, member.removed, read.updated, user.updated or session.revoked.';
COMMENT ON COLUMN chat.events.payload IS
    'Type-specific JSON object: message.created and message.updated {"conversation_id","message"}, message.deleted '
    '{"conversation_id","message_id","seq"}, reaction.added / reaction.removed {"conversation_id","message_id","emoji",'
    '"user_id","count"}, read.updated {"conversation_id","last_read_seq","unread_count"}, user.updated {"role","active"}, '
    'session.revoked {"session_id"}; {} otherwise.';

-- ---------------------------------------------------------------------------------------------
-- JSON of a message, the same for the stream and the API.

CREATE OR REPLACE FUNCTION chat.user_ref_json(user_id text) RETURNS jsonb
    LANGUAGE sql STABLE STRICT
    AS $$ SELECT jsonb_build_object('id', u.id, 'name', u.name) FROM chat.users u WHERE u.id = user_id $$;
COMMENT ON FUNCTION chat.user_ref_json(text) IS 'A user as a quote, a system message or a mention names them: {"id","name"}; NULL for an unknown id.';

CREATE OR REPLACE FUNCTION chat.quote_json(message_id bigint) RETURNS jsonb
    LANGUAGE sql STABLE STRICT
    AS $$
    SELECT jsonb_build_object(
               'id', q.id, 'seq', q.seq, 'sender', chat.user_ref_json(q.sender_id),
               'body_preview', chat.body_preview(q.body), 'deleted', q.deleted_at IS NOT NULL)
      FROM chat.messages q WHERE q.id = message_id
    $$;
COMMENT ON FUNCTION chat.quote_json(bigint) IS
    'A message as a reply quotes it, as it is now: {"id","seq","sender":{"id","name"},"body_preview","deleted"} '
    '(a deleted one: body_preview ''''). NULL for an unknown id.';

CREATE OR REPLACE FUNCTION chat.reactions_json(message_id bigint, viewer text) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT coalesce(jsonb_agg(
               jsonb_build_object('emoji', r.emoji, 'count', r.n)
               || CASE WHEN viewer IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('me', r.mine) END
               ORDER BY r.first_id), '[]'::jsonb)
      FROM (SELECT x.emoji, count(*) AS n, min(x.id) AS first_id, coalesce(bool_or(x.user_id = viewer), false) AS mine
              FROM chat.message_reactions x WHERE x.message_id = reactions_json.message_id
             GROUP BY x.emoji) AS r
    $$;
COMMENT ON FUNCTION chat.reactions_json(bigint, text) IS
    'A message''s reactions, [{"emoji","count","me"}] in order of each emoji''s first use; "me" (whether viewer '
    'reacted) only when viewer is not NULL (the stream''s form has none).';

CREATE OR REPLACE FUNCTION chat.message_object(m chat.messages, sender jsonb, reactions jsonb) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT jsonb_build_object(
        'id', m.id,
        'conversation_id', m.conversation_id::text,
        'seq', m.seq,
        'kind', m.kind,
        'sender', sender,
        'body', m.body,
        'client_id', m.client_id,
        'created_at', chat.rfc3339(m.created_at),
        'edited_at', chat.rfc3339(m.edited_at),
        'deleted', m.deleted_at IS NOT NULL,
        'reply_to', chat.quote_json(m.reply_to),
        'reactions', reactions,
        'system', m.system,
        'mentions', '[]'::jsonb,
        'attachments', '[]'::jsonb)
    $$;
COMMENT ON FUNCTION chat.message_object(chat.messages, jsonb, jsonb) IS
    'The API''s Message object from the row, its sender ({"id","name","avatar_url"} or NULL) and its reactions as given: '
    '{"id","conversation_id","seq","kind","sender","body","client_id","created_at","edited_at","deleted","reply_to",'
    '"reactions","system","mentions":[],"attachments":[]}. Use chat.message_json; the INSERT trigger calls this directly '
    'with the sender it has joined and no reactions (a new message has none), so sending reads nothing more.';

CREATE OR REPLACE FUNCTION chat.message_json(m chat.messages, viewer text) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT chat.message_object(m,
        (SELECT jsonb_build_object('id', s.id, 'name', s.name, 'avatar_url', s.avatar_url) FROM chat.users s WHERE s.id = m.sender_id),
        chat.reactions_json(m.id, viewer))
    $$;
COMMENT ON FUNCTION chat.message_json(chat.messages, text) IS
    'The API''s Message object as stored now (chat.message_object with the sender and the reactions). viewer: the '
    'reader, for reactions[].me; NULL gives the stream''s form (no "me").';

-- ---------------------------------------------------------------------------------------------
-- Unread counts: the distance from the marker to last_seq, less what never counts.

CREATE OR REPLACE FUNCTION chat.unread_count(conversation uuid, last_seq bigint, last_read_seq bigint) RETURNS bigint
    LANGUAGE sql STABLE
    AS $$
    SELECT greatest(last_seq - last_read_seq - (
               SELECT count(*) FROM chat.messages m
                WHERE m.conversation_id = conversation AND m.seq > last_read_seq
                  AND (m.kind = 'system' OR m.deleted_at IS NOT NULL)), 0)
    $$;
COMMENT ON FUNCTION chat.unread_count(uuid, bigint, bigint) IS
    'Unread messages of a conversation for a reader whose marker is last_read_seq: every seq after the marker '
    '(sending moves the sender''s own marker, so those are others'' messages) less the system and deleted '
    'messages among them, which are counted through the partial index messages_uncounted_idx only. Computed '
    'from the rows as they are, so concurrent deletions, edits and reads cannot make it drift.';

CREATE OR REPLACE VIEW chat.unread_counts AS
    SELECT a.user_id, a.conversation_id, c.kind,
           coalesce(r.last_read_seq, 0) AS last_read_seq,
           (SELECT count(*) FROM chat.messages m
             WHERE m.conversation_id = a.conversation_id
               AND m.seq > coalesce(r.last_read_seq, 0)
               AND m.sender_id <> a.user_id
               AND m.kind = 'user' AND m.deleted_at IS NULL) AS unread_count
      FROM chat.conversation_access a
      JOIN chat.conversations c ON c.id = a.conversation_id
      LEFT JOIN chat.read_markers r ON r.conversation_id = a.conversation_id AND r.user_id = a.user_id;
COMMENT ON VIEW chat.unread_counts IS
    'Per user and conversation the user can see (chat.conversation_access): the read marker and the number of '
    'user messages after it sent by others and not deleted (counted row by row, exact even for messages a DBA '
    'inserted in the reader''s own name; the API uses the cheap chat.unread_count). Filter by user_id, e.g. the '
    'nav badges: SELECT kind, sum(unread_count) FROM chat.unread_counts WHERE user_id = ''u1'' GROUP BY kind.';
COMMENT ON COLUMN chat.unread_counts.unread_count IS 'User messages with seq > last_read_seq that others sent and nobody deleted (system messages never count).';

-- ---------------------------------------------------------------------------------------------
-- Inserting messages: last_message_id is the newest USER message; the payload is chat.message_object.

CREATE OR REPLACE FUNCTION chat.messages_after_insert() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    ahead record;
BEGIN
    WITH newest AS (
        SELECT conversation_id, max(seq) AS max_seq,
               (array_agg(id ORDER BY seq DESC) FILTER (WHERE kind = 'user'))[1] AS message_id,
               max(created_at) FILTER (WHERE kind = 'user') AS newest_at
          FROM inserted_messages
         GROUP BY conversation_id
    ), moved AS (
        UPDATE chat.conversations c
           SET last_activity_at = greatest(c.last_activity_at, n.newest_at),
               last_message_id = coalesce(n.message_id, c.last_message_id)
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
           jsonb_build_object('conversation_id', m.conversation_id::text,
                              'message', chat.message_object(m::chat.messages,
                                  CASE WHEN u.id IS NOT NULL THEN jsonb_build_object('id', u.id, 'name', u.name, 'avatar_url', u.avatar_url) END,
                                  '[]'::jsonb))
      FROM inserted_messages m
      LEFT JOIN chat.users u ON u.id = m.sender_id
     ORDER BY m.conversation_id, m.seq;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION chat.messages_after_insert() IS
    'AFTER INSERT (per statement) on chat.messages: per conversation, moves last_activity_at and last_message_id '
    'to its newest user message (system messages move neither) and refuses a seq beyond last_seq; then one INSERT '
    'of message.created events (payload {"conversation_id","message": chat.message_object}), in (conversation_id, seq) order.';

-- ---------------------------------------------------------------------------------------------
-- Editing and deleting.

CREATE OR REPLACE FUNCTION chat.messages_before_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    actor text := nullif(current_setting('chat.actor_id', true), '');
BEGIN
    IF OLD.kind = 'system' THEN
        RAISE EXCEPTION 'system messages cannot be edited or deleted'
            USING ERRCODE = 'feature_not_supported', SCHEMA = 'chat', TABLE = 'messages';
    END IF;
    IF OLD.deleted_at IS NOT NULL THEN
        IF NEW.body IS DISTINCT FROM OLD.body OR NEW.deleted_at IS DISTINCT FROM OLD.deleted_at THEN
            RAISE EXCEPTION 'message % is deleted and cannot change', OLD.id
                USING ERRCODE = 'feature_not_supported', SCHEMA = 'chat', TABLE = 'messages';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.deleted_at IS NOT NULL THEN
        NEW.body := '';
        NEW.deleted_by := coalesce(NEW.deleted_by, actor);
    ELSIF NEW.body IS DISTINCT FROM OLD.body THEN
        NEW.edited_at := now();
        INSERT INTO chat.message_revisions (message_id, body, edited_by, replaced_at)
        VALUES (OLD.id, OLD.body, actor, NEW.edited_at);
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION chat.messages_before_update() IS
    'BEFORE UPDATE OF body, deleted_at on chat.messages: an edit sets edited_at and keeps the old body in '
    'chat.message_revisions; a deletion empties the body and records deleted_by (chat.actor_id). System and '
    'deleted messages cannot change.';

DROP TRIGGER IF EXISTS messages_before_update ON chat.messages;
CREATE TRIGGER messages_before_update
    BEFORE UPDATE OF body, deleted_at ON chat.messages
    FOR EACH ROW
    WHEN (OLD.body IS DISTINCT FROM NEW.body OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION chat.messages_before_update();
COMMENT ON TRIGGER messages_before_update ON chat.messages IS 'Edits keep a revision; deletions remove the text.';

CREATE OR REPLACE FUNCTION chat.messages_after_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.deleted_at IS NOT NULL THEN
        UPDATE chat.message_revisions SET body = NULL WHERE message_id = NEW.id AND body IS NOT NULL;
        DELETE FROM chat.message_reactions WHERE message_id = NEW.id;
        INSERT INTO chat.events (type, conversation_id, payload)
        VALUES ('message.deleted', NEW.conversation_id,
                jsonb_build_object('conversation_id', NEW.conversation_id::text, 'message_id', NEW.id, 'seq', NEW.seq));
    ELSE
        INSERT INTO chat.events (type, conversation_id, payload)
        VALUES ('message.updated', NEW.conversation_id,
                jsonb_build_object('conversation_id', NEW.conversation_id::text, 'message', chat.message_json(NEW, NULL)));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION chat.messages_after_update() IS
    'AFTER UPDATE OF body, deleted_at on chat.messages: a deletion empties the revisions'' bodies, drops the '
    'reactions and writes message.deleted {"conversation_id","message_id","seq"}; an edit writes message.updated '
    '{"conversation_id","message"}.';

DROP TRIGGER IF EXISTS messages_after_update ON chat.messages;
CREATE TRIGGER messages_after_update
    AFTER UPDATE OF body, deleted_at ON chat.messages
    FOR EACH ROW
    WHEN (OLD.body IS DISTINCT FROM NEW.body OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION chat.messages_after_update();
COMMENT ON TRIGGER messages_after_update ON chat.messages IS 'Streams edits (message.updated) and deletions (message.deleted).';

CREATE OR REPLACE FUNCTION chat.messages_delete_softly() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE chat.messages SET deleted_at = now() WHERE id = OLD.id AND deleted_at IS NULL AND kind = 'user';
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION chat.messages_delete_softly() IS
    'BEFORE DELETE on chat.messages: a plain DELETE becomes a deletion (deleted_at set, text removed, streamed) '
    'and the row stays, so seqs keep no gaps. Disable the trigger to purge rows for real.';

DROP TRIGGER IF EXISTS messages_delete_softly ON chat.messages;
CREATE TRIGGER messages_delete_softly
    BEFORE DELETE ON chat.messages
    FOR EACH ROW EXECUTE FUNCTION chat.messages_delete_softly();
COMMENT ON TRIGGER messages_delete_softly ON chat.messages IS 'DELETE-style moderation by plain SQL: the message is deleted the API''s way.';

-- ---------------------------------------------------------------------------------------------
-- Reactions: the limit and the events.

CREATE OR REPLACE FUNCTION chat.message_reactions_after_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    reaction chat.message_reactions;
    message record;
    emoji_count bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN reaction := OLD; ELSE reaction := NEW; END IF;
    -- One reactor of a message at a time, so each event's count is exact.
    SELECT m.conversation_id, m.kind, m.deleted_at INTO message
      FROM chat.messages m WHERE m.id = reaction.message_id FOR NO KEY UPDATE;
    IF TG_OP = 'DELETE' THEN
        IF message.deleted_at IS NOT NULL THEN
            RETURN NULL;  -- the message's deletion took its reactions: message.deleted says it all
        END IF;
    ELSIF message.kind = 'system' OR message.deleted_at IS NOT NULL THEN
        RAISE EXCEPTION 'no reactions on a deleted or system message'
            USING ERRCODE = 'check_violation', SCHEMA = 'chat', TABLE = 'message_reactions';
    ELSIF (SELECT count(DISTINCT x.emoji) FROM chat.message_reactions x WHERE x.message_id = reaction.message_id) > 20 THEN
        RAISE EXCEPTION 'a message has at most 20 distinct reactions'
            USING ERRCODE = 'check_violation', SCHEMA = 'chat', TABLE = 'message_reactions';
    END IF;
    SELECT count(*) INTO emoji_count FROM chat.message_reactions x
     WHERE x.message_id = reaction.message_id AND x.emoji = reaction.emoji;
    INSERT INTO chat.events (type, conversation_id, payload)
    VALUES (CASE TG_OP WHEN 'DELETE' THEN 'reaction.removed' ELSE 'reaction.added' END, message.conversation_id,
            jsonb_build_object('conversation_id', message.conversation_id::text, 'message_id', reaction.message_id,
                               'emoji', reaction.emoji, 'user_id', reaction.user_id, 'count', emoji_count));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION chat.message_reactions_after_change() IS
    'AFTER INSERT / DELETE on chat.message_reactions: locks the message (reactions of one message are counted one '
    'writer at a time), refuses reactions on deleted or system messages and a 21st distinct emoji, and writes '
    'reaction.added / reaction.removed {"conversation_id","message_id","emoji","user_id","count"}.';

DROP TRIGGER IF EXISTS message_reactions_after_change ON chat.message_reactions;
CREATE TRIGGER message_reactions_after_change
    AFTER INSERT OR DELETE ON chat.message_reactions
    FOR EACH ROW EXECUTE FUNCTION chat.message_reactions_after_change();
COMMENT ON TRIGGER message_reactions_after_change ON chat.message_reactions IS 'Enforces the reaction rules and streams each change.';

-- ---------------------------------------------------------------------------------------------
-- System messages.

CREATE OR REPLACE FUNCTION chat.post_system_message(conversation uuid, facts jsonb, body text) RETURNS void
    LANGUAGE sql
    AS $$ INSERT INTO chat.messages (conversation_id, kind, system, body) VALUES (conversation, 'system', facts, body) $$;
COMMENT ON FUNCTION chat.post_system_message(uuid, jsonb, text) IS
    'Writes a system message (kind system, no sender) into a conversation''s timeline: it takes the next seq and '
    'streams as message.created, but never counts as unread nor becomes last_message.';

CREATE OR REPLACE FUNCTION chat.actor_json() RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT chat.user_ref_json(nullif(current_setting('chat.actor_id', true), '')) $$;
COMMENT ON FUNCTION chat.actor_json() IS 'The user who made this transaction''s change ({"id","name"}, from the setting chat.actor_id), or NULL.';

CREATE OR REPLACE FUNCTION chat.names_sentence(names text[], total bigint) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT CASE
        WHEN total <= 1 THEN names[1]
        WHEN total <= 3 THEN array_to_string(names[1:total - 1], ', ') || ' and ' || names[total]
        ELSE array_to_string(names[1:2], ', ') || ' and ' || (total - 2) || ' others' END
    $$;
COMMENT ON FUNCTION chat.names_sentence(text[], bigint) IS
    'People named in a sentence: "Ada", "Ada and Grace", "Ada, Grace and Alan", "Ada, Grace and 5 others" (total: how many in all).';

CREATE OR REPLACE FUNCTION chat.conversations_system_message_on_insert() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    actor jsonb := chat.user_ref_json(NEW.created_by);
BEGIN
    PERFORM chat.post_system_message(NEW.id,
        jsonb_strip_nulls(jsonb_build_object('type', 'chat_created', 'actor', actor)),
        coalesce(actor->>'name' || ' created this chat', 'This chat was created'));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION chat.conversations_system_message_on_insert() IS 'The chat_created system message of a new circle chat (actor: created_by).';

DROP TRIGGER IF EXISTS conversations_system_message_on_insert ON chat.conversations;
CREATE TRIGGER conversations_system_message_on_insert
    AFTER INSERT ON chat.conversations
    FOR EACH ROW WHEN (NEW.kind = 'circle')
    EXECUTE FUNCTION chat.conversations_system_message_on_insert();
COMMENT ON TRIGGER conversations_system_message_on_insert ON chat.conversations IS
    'Circle chats start with a chat_created system message (after conversation.created: triggers fire by name).';

CREATE OR REPLACE FUNCTION chat.conversations_system_message_on_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    actor jsonb := chat.actor_json();
    who text := actor->>'name';
    title text;
BEGIN
    IF OLD.custom_title IS DISTINCT FROM NEW.custom_title THEN
        title := coalesce(NEW.custom_title, (SELECT ci.name FROM chat.circles ci WHERE ci.id = NEW.circle_id));
        PERFORM chat.post_system_message(NEW.id,
            jsonb_strip_nulls(jsonb_build_object('type', 'title_changed', 'actor', actor, 'title', title)),
            coalesce(who || ' renamed this chat', 'This chat was renamed') || ' to "' || title || '"');
    END IF;
    IF OLD.send_policy IS DISTINCT FROM NEW.send_policy THEN
        PERFORM chat.post_system_message(NEW.id,
            jsonb_strip_nulls(jsonb_build_object('type', 'policy_changed', 'actor', actor, 'send_policy', NEW.send_policy)),
            CASE NEW.send_policy
                WHEN 'admins_only' THEN coalesce(who || ' made this chat admins-only', 'This chat is now admins-only')
                ELSE coalesce(who || ' let all members send messages', 'All members can send messages again') END);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION chat.conversations_system_message_on_update() IS
    'title_changed / policy_changed system messages for a circle chat (actor: chat.actor_id; title: the new title '
    'as shown, the circle''s name when the custom title is cleared).';

DROP TRIGGER IF EXISTS conversations_system_message_on_update ON chat.conversations;
CREATE TRIGGER conversations_system_message_on_update
    AFTER UPDATE OF custom_title, send_policy ON chat.conversations
    FOR EACH ROW
    WHEN (NEW.kind = 'circle' AND (OLD.custom_title IS DISTINCT FROM NEW.custom_title
                                   OR OLD.send_policy IS DISTINCT FROM NEW.send_policy))
    EXECUTE FUNCTION chat.conversations_system_message_on_update();
COMMENT ON TRIGGER conversations_system_message_on_update ON chat.conversations IS
    'A rename or a policy change shows in the timeline (after conversation.updated: triggers fire by name).';

CREATE OR REPLACE FUNCTION chat.circle_members_system_message() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    added boolean := TG_OP = 'INSERT';
    change record;
BEGIN
    FOR change IN
        WITH changed AS (
            SELECT t.circle_id, t.user_id FROM changed_members t
        ), per_chat AS (
            SELECT c.id AS conversation_id, count(*) AS total,
                   (array_agg(jsonb_build_object('id', x.user_id, 'name', coalesce(u.name, x.user_id))
                              ORDER BY lower(coalesce(u.name, x.user_id)), x.user_id))[1:50] AS users,
                   (array_agg(coalesce(u.name, x.user_id) ORDER BY lower(coalesce(u.name, x.user_id)), x.user_id))[1:3] AS names
              FROM changed x
              JOIN chat.conversations c ON c.circle_id = x.circle_id
              LEFT JOIN chat.users u ON u.id = x.user_id
             GROUP BY c.id
        )
        SELECT * FROM per_chat ORDER BY conversation_id
    LOOP
        PERFORM chat.post_system_message(change.conversation_id,
            jsonb_strip_nulls(jsonb_build_object(
                'type', CASE WHEN added THEN 'members_added' ELSE 'members_removed' END,
                'actor', chat.actor_json(), 'users', to_jsonb(change.users), 'count', change.total)),
            chat.names_sentence(change.names, change.total)
                || CASE WHEN change.total = 1 THEN ' was' ELSE ' were' END
                || CASE WHEN added THEN ' added to this chat' ELSE ' removed from this chat' END);
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION chat.circle_members_system_message() IS
    'Per statement on chat.circle_members (one directory call): one members_added or members_removed system '
    'message per circle chat concerned, naming at most 50 users (by name) with the total in count; nothing when '
    'the statement changed no row.';

DROP TRIGGER IF EXISTS circle_members_system_message_added ON chat.circle_members;
CREATE TRIGGER circle_members_system_message_added
    AFTER INSERT ON chat.circle_members
    REFERENCING NEW TABLE AS changed_members
    FOR EACH STATEMENT EXECUTE FUNCTION chat.circle_members_system_message();
COMMENT ON TRIGGER circle_members_system_message_added ON chat.circle_members IS
    'members_added system message (after member.added: triggers fire by name).';

DROP TRIGGER IF EXISTS circle_members_system_message_removed ON chat.circle_members;
CREATE TRIGGER circle_members_system_message_removed
    AFTER DELETE ON chat.circle_members
    REFERENCING OLD TABLE AS changed_members
    FOR EACH STATEMENT EXECUTE FUNCTION chat.circle_members_system_message();
COMMENT ON TRIGGER circle_members_system_message_removed ON chat.circle_members IS
    'members_removed system message (after member.removed).';

-- ---------------------------------------------------------------------------------------------
-- The list preview knows deletions; DBA view of moderation.

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
                       'deleted', m.deleted_at IS NOT NULL,
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
    '"last_message":{"id","seq","sender":{"id","name","avatar_url"},"body_preview","deleted","created_at"}|null} '
    '(last_message: the newest user message, deleted ones too, with body_preview ''''). '
    'The services add the per-viewer fields (title, peer, can_send, unread). NULL for an unknown id.';

CREATE OR REPLACE VIEW chat.moderation_actions AS
    SELECT 'deleted'::text AS action, m.deleted_at AS at, m.deleted_by AS actor_id, m.sender_id,
           m.deleted_by IS DISTINCT FROM m.sender_id AS by_someone_else,
           m.conversation_id, m.id AS message_id, m.seq
      FROM chat.messages m
     WHERE m.deleted_at IS NOT NULL
    UNION ALL
    SELECT 'edited', r.replaced_at, r.edited_by, m.sender_id,
           r.edited_by IS DISTINCT FROM m.sender_id,
           m.conversation_id, m.id, m.seq
      FROM chat.message_revisions r
      JOIN chat.messages m ON m.id = r.message_id;
COMMENT ON VIEW chat.moderation_actions IS
    'Every edit and deletion of a message, who did it and when. The moderation proper (an admin deleting someone '
    'else''s message, or a change by plain SQL) has by_someone_else = true. E.g. '
    'SELECT * FROM chat.moderation_actions WHERE by_someone_else ORDER BY at DESC LIMIT 50.';
COMMENT ON COLUMN chat.moderation_actions.action IS 'deleted or edited.';
COMMENT ON COLUMN chat.moderation_actions.at IS 'When.';
COMMENT ON COLUMN chat.moderation_actions.actor_id IS 'Who (NULL: by plain SQL, no actor recorded).';
COMMENT ON COLUMN chat.moderation_actions.sender_id IS 'Who had sent the message.';
COMMENT ON COLUMN chat.moderation_actions.by_someone_else IS 'True when the actor is not the sender (an admin''s moderation, or plain SQL).';
COMMENT ON COLUMN chat.moderation_actions.conversation_id IS 'The conversation.';
COMMENT ON COLUMN chat.moderation_actions.message_id IS 'The message.';
COMMENT ON COLUMN chat.moderation_actions.seq IS 'Its seq in the conversation.';
