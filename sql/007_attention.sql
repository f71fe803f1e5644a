-- 007_attention: mentions, receipts, mute, mark unread and message search (docs/api.md,
-- "Attention"). Typing writes nothing: the API sends pg_notify('chat_typing', ...) and the
-- gateway forwards it (docs/stream.md, "Typing").
--
-- An existing database upgrades in place: messages keep their rows and get no mentions and a
-- search vector computed here; markers are unmuted.
-- Idempotent like the files before it.

-- The IF NOT EXISTS / DROP ... IF EXISTS notices of a re-run are noise.
SET LOCAL client_min_messages = warning;

-- ---------------------------------------------------------------------------------------------
-- Search configuration: the `simple` parser and dictionary (any language, no stemming) with
-- accents folded by unaccent (contrib, a trusted extension from PostgreSQL 13). Without
-- unaccent the configuration is plain `simple`: search still works, accents then matter.

DO $$
DECLARE
    unaccent_schema name;
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS unaccent;
    EXCEPTION WHEN OTHERS THEN
        RAISE WARNING 'unaccent is not available (%): message search will not fold accents', SQLERRM;
    END;
    IF to_regclass('pg_catalog.pg_ts_config') IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'search' AND cfgnamespace = 'chat'::regnamespace) THEN
        CREATE TEXT SEARCH CONFIGURATION chat.search (COPY = pg_catalog.simple);
        SELECT extnamespace::regnamespace::name INTO unaccent_schema FROM pg_extension WHERE extname = 'unaccent';
        IF unaccent_schema IS NOT NULL THEN
            EXECUTE format('ALTER TEXT SEARCH CONFIGURATION chat.search ALTER MAPPING FOR hword, hword_part, word '
                           'WITH %I.unaccent, pg_catalog.simple', unaccent_schema);
        END IF;
    END IF;
END $$;
COMMENT ON TEXT SEARCH CONFIGURATION chat.search IS
    'Message search: the simple parser and dictionary (every language alike, lower case, no stemming, no stop '
    'words) after unaccent when the extension is installed (accents do not matter). E.g. '
    'to_tsvector(''chat.search'', ''Élan vital'') = ''elan'':1 ''vital'':2.';

-- ---------------------------------------------------------------------------------------------
-- chat.messages: mentions (ids, in the order given) and the search vector.

ALTER TABLE chat.messages
    ADD COLUMN IF NOT EXISTS mentions text[] NOT NULL DEFAULT '{}',
    ADD COLUMN IF NOT EXISTS search_vector tsvector;
ALTER TABLE chat.messages
    DROP CONSTRAINT IF EXISTS messages_mentions_limit,
    DROP CONSTRAINT IF EXISTS messages_mentions_only_live_user_messages;
ALTER TABLE chat.messages
    ADD CONSTRAINT messages_mentions_limit CHECK (cardinality(mentions) <= 50),
    ADD CONSTRAINT messages_mentions_only_live_user_messages CHECK (
        mentions = '{}' OR (kind = 'user' AND deleted_at IS NULL));
COMMENT ON COLUMN chat.messages.mentions IS
    'The users the sender mentioned (ids, at most 50, each one who saw the conversation when it was sent: checked '
    'by the API), in the order given; emptied when the message is deleted. chat.message_mentions indexes them.';
COMMENT ON COLUMN chat.messages.search_vector IS
    'The body as message search sees it (to_tsvector(''chat.search'', body)), kept by trigger messages_search_vector '
    'on insert and edit; NULL for system and deleted messages, which search does not find.';

CREATE INDEX IF NOT EXISTS messages_search_idx ON chat.messages USING gin (search_vector);
COMMENT ON INDEX chat.messages_search_idx IS
    'Full-text search over message bodies: WHERE search_vector @@ to_tsquery(''chat.search'', ''ada:* & love:*'').';

DROP TRIGGER IF EXISTS messages_search_vector ON chat.messages;
CREATE TRIGGER messages_search_vector
    BEFORE INSERT OR UPDATE OF body ON chat.messages
    FOR EACH ROW WHEN (NEW.kind = 'user' AND NEW.deleted_at IS NULL)
    EXECUTE FUNCTION tsvector_update_trigger(search_vector, 'chat.search', body);
COMMENT ON TRIGGER messages_search_vector ON chat.messages IS
    'Keeps search_vector of user messages on insert and edit (the built-in C trigger: cheap per row); a deletion '
    'clears it (trigger messages_forget_on_deletion).';

-- Messages stored before this migration: index them once (no trigger listens to this column).
UPDATE chat.messages SET search_vector = to_tsvector('chat.search', body)
 WHERE kind = 'user' AND deleted_at IS NULL AND search_vector IS NULL;

-- ---------------------------------------------------------------------------------------------
-- Mentions, one row per (message, mentioned user other than its sender): what makes
-- unread_mentions a count of a few index entries instead of a scan of the conversation.

CREATE TABLE IF NOT EXISTS chat.message_mentions (
    message_id       bigint NOT NULL CONSTRAINT message_mentions_message_id_fkey REFERENCES chat.messages (id),
    user_id          chat.entity_id NOT NULL CONSTRAINT message_mentions_user_id_fkey REFERENCES chat.users (id),
    conversation_id  uuid NOT NULL,
    seq              bigint NOT NULL,
    CONSTRAINT message_mentions_pkey PRIMARY KEY (message_id, user_id)
);
CREATE INDEX IF NOT EXISTS message_mentions_unread_idx ON chat.message_mentions (user_id, conversation_id, seq);
COMMENT ON INDEX chat.message_mentions_unread_idx IS
    'A user''s mentions in a conversation after a marker (chat.unread_mentions): an index-only count.';
COMMENT ON TABLE chat.message_mentions IS
    'Who is mentioned where: one row per (message, user) for the users in chat.messages.mentions other than the '
    'sender, written by trigger messages_index_mentions; a deletion of the message deletes its rows (messages_forget_on_deletion). E.g. the '
    'unread mentions of u1: SELECT conversation_id, count(*) FROM chat.message_mentions mm JOIN chat.read_markers r '
    'USING (conversation_id, user_id) WHERE mm.user_id = ''u1'' AND mm.seq > r.last_read_seq GROUP BY 1.';
COMMENT ON COLUMN chat.message_mentions.message_id IS 'The message that mentions.';
COMMENT ON COLUMN chat.message_mentions.user_id IS 'The user mentioned (never the sender).';
COMMENT ON COLUMN chat.message_mentions.conversation_id IS 'The message''s conversation (copied, for the count).';
COMMENT ON COLUMN chat.message_mentions.seq IS 'The message''s seq (copied: compared with the read marker).';

CREATE OR REPLACE FUNCTION chat.messages_index_mentions() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO chat.message_mentions (message_id, user_id, conversation_id, seq)
    SELECT DISTINCT m.id, u.user_id, m.conversation_id, m.seq
      FROM inserted_messages m, unnest(m.mentions) AS u(user_id)
     WHERE m.mentions <> '{}' AND u.user_id IS DISTINCT FROM m.sender_id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION chat.messages_index_mentions() IS
    'AFTER INSERT (per statement) on chat.messages: one chat.message_mentions row per mentioned user other than '
    'the sender. A batch without mentions costs one pass over the inserted rows.';

DROP TRIGGER IF EXISTS messages_index_mentions ON chat.messages;
CREATE TRIGGER messages_index_mentions
    AFTER INSERT ON chat.messages
    REFERENCING NEW TABLE AS inserted_messages
    FOR EACH STATEMENT EXECUTE FUNCTION chat.messages_index_mentions();
COMMENT ON TRIGGER messages_index_mentions ON chat.messages IS 'Indexes the mentions of new messages.';

CREATE OR REPLACE FUNCTION chat.messages_forget_on_deletion() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.mentions := '{}';
    NEW.search_vector := NULL;
    DELETE FROM chat.message_mentions WHERE message_id = OLD.id;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION chat.messages_forget_on_deletion() IS
    'BEFORE UPDATE OF deleted_at on chat.messages, for a deletion: the message mentions nobody any more (API.md: a '
    'deleted message has no mentions), so it leaves everyone''s unread_mentions, and search no longer finds it.';

DROP TRIGGER IF EXISTS messages_forget_on_deletion ON chat.messages;
CREATE TRIGGER messages_forget_on_deletion
    BEFORE UPDATE OF deleted_at ON chat.messages
    FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
    EXECUTE FUNCTION chat.messages_forget_on_deletion();
COMMENT ON TRIGGER messages_forget_on_deletion ON chat.messages IS 'A deletion drops the message''s mentions and search vector.';

CREATE OR REPLACE FUNCTION chat.unread_mentions(conversation uuid, reader text, last_read_seq bigint) RETURNS bigint
    LANGUAGE sql STABLE
    AS $$
    SELECT count(*) FROM chat.message_mentions mm
     WHERE mm.user_id = reader AND mm.conversation_id = conversation AND mm.seq > last_read_seq
    $$;
COMMENT ON FUNCTION chat.unread_mentions(uuid, text, bigint) IS
    'Messages of a conversation after the marker last_read_seq that mention reader (deleted ones have no mentions): '
    'an index-only count on message_mentions_unread_idx, exact after reads, deletions and mark-unread.';

-- The message object gains its mentions: a part like 006's sender, quote and reactions (one
-- SELECT, set-returning, inlined where it is joined), passed to chat.message_object. The old
-- 13-argument chat.message_object goes; chat.message_json_of and the INSERT trigger, its two
-- callers, are redefined to pass the part (chat.message_json and the UPDATE trigger read through
-- chat.message_json_of and need nothing). A later part (attachments) is added the same way.

CREATE OR REPLACE FUNCTION chat.mentions_of(user_ids text[]) RETURNS TABLE (mentions jsonb)
    LANGUAGE sql STABLE
    AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object('id', u.id, 'name', u.name) ORDER BY x.ord), '[]'::jsonb)
      FROM unnest(user_ids) WITH ORDINALITY AS x(id, ord) JOIN chat.users u ON u.id = x.id
    $$;
COMMENT ON FUNCTION chat.mentions_of(text[]) IS
    'A message''s mentions as the message object shows them, one row: [{"id","name"}] in the order given; [] for '
    'none (no user is looked up).';

DROP FUNCTION IF EXISTS chat.message_object(bigint, uuid, bigint, text, jsonb, text, text, timestamptz, timestamptz,
                                            timestamptz, jsonb, jsonb, jsonb);
CREATE OR REPLACE FUNCTION chat.message_object(
    id bigint, conversation_id uuid, seq bigint, kind text, sender jsonb, body text, client_id text,
    created_at timestamptz, edited_at timestamptz, deleted_at timestamptz, quote jsonb, reactions jsonb, system jsonb,
    mentions jsonb)
    RETURNS jsonb
    LANGUAGE sql STABLE  -- as stable as jsonb_build_object, so that the planner inlines it
    AS $$
    SELECT jsonb_build_object(
        'id', id,
        'conversation_id', conversation_id::text,
        'seq', seq,
        'kind', kind,
        'sender', sender,
        'body', body,
        'client_id', client_id,
        'created_at', chat.rfc3339(created_at),
        'edited_at', chat.rfc3339(edited_at),
        'deleted', deleted_at IS NOT NULL,
        'reply_to', quote,
        'reactions', reactions,
        'system', system,
        'mentions', mentions,
        'attachments', '[]'::jsonb)
    $$;
COMMENT ON FUNCTION chat.message_object(bigint, uuid, bigint, text, jsonb, text, text, timestamptz, timestamptz, timestamptz, jsonb, jsonb, jsonb, jsonb) IS
    'The API''s Message object from a message''s columns and its parts (chat.sender_of, chat.quote_of, chat.reactions_of, '
    'chat.mentions_of): {"id","conversation_id","seq","kind","sender","body","client_id","created_at","edited_at",'
    '"deleted","reply_to","reactions","system","mentions","attachments":[]}. Use chat.message_json_of; the INSERT '
    'trigger calls this directly with no reactions (a new message has none), so a send looks none up.';

CREATE OR REPLACE FUNCTION chat.message_json_of(message_id bigint, viewer text) RETURNS TABLE (message jsonb)
    LANGUAGE sql STABLE
    AS $$
    SELECT chat.message_object(m.id, m.conversation_id, m.seq, m.kind, s.sender, m.body, m.client_id,
                               m.created_at, m.edited_at, m.deleted_at, q.quote, r.reactions, m.system, n.mentions)
      FROM chat.messages m
     CROSS JOIN LATERAL chat.reactions_of(m.id, viewer) AS r
     CROSS JOIN LATERAL chat.mentions_of(m.mentions) AS n
      LEFT JOIN LATERAL chat.sender_of(m.sender_id) AS s ON true
      LEFT JOIN LATERAL chat.quote_of(m.reply_to) AS q ON true
     WHERE m.id = message_json_of.message_id
    $$;

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
                              'message', chat.message_object(m.id, m.conversation_id, m.seq, m.kind, s.sender, m.body,
                                                             m.client_id, m.created_at, m.edited_at, m.deleted_at,
                                                             q.quote, '[]'::jsonb, m.system, n.mentions))
      FROM inserted_messages m
     CROSS JOIN LATERAL chat.mentions_of(m.mentions) AS n
      LEFT JOIN LATERAL chat.sender_of(m.sender_id) AS s ON true
      LEFT JOIN LATERAL chat.quote_of(m.reply_to) AS q ON true
     ORDER BY m.conversation_id, m.seq;
    RETURN NULL;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Mute, per user and conversation, on the marker row (the per-user state of a conversation).

ALTER TABLE chat.read_markers ADD COLUMN IF NOT EXISTS muted boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN chat.read_markers.muted IS
    'True when the user muted the conversation (PUT .../mute): it keeps its counts in the list but leaves '
    'GET /v1/unread. A row that only mutes has last_read_seq 0, like no row.';
COMMENT ON TABLE chat.read_markers IS
    'Each user''s state in each conversation: how far they have read (last_read_seq) and whether they muted it. '
    'No row = nothing read, not muted. The marker moves forward (POST .../read; sending moves the sender''s own '
    'marker to the message) and back only through POST .../unread (chat.move_read_marker). Unread counts: view '
    'chat.unread_counts.';

-- ---------------------------------------------------------------------------------------------
-- chat.events: receipts and mute.

ALTER TABLE chat.events
    DROP CONSTRAINT IF EXISTS events_type_known,
    DROP CONSTRAINT IF EXISTS events_type_columns;
ALTER TABLE chat.events
    ADD CONSTRAINT events_type_known CHECK (type IN (
        'message.created', 'message.updated', 'message.deleted', 'reaction.added', 'reaction.removed',
        'conversation.created', 'conversation.updated',
        'member.added', 'member.removed', 'read.updated', 'receipt.updated', 'mute.updated',
        'user.updated', 'session.revoked')) NOT VALID,
    ADD CONSTRAINT events_type_columns CHECK (CASE
        WHEN type IN ('message.created', 'message.updated', 'message.deleted', 'reaction.added',
                      'reaction.removed', 'conversation.created', 'conversation.updated')
            THEN conversation_id IS NOT NULL
        WHEN type IN ('member.added', 'member.removed', 'read.updated', 'receipt.updated', 'mute.updated')
            THEN conversation_id IS NOT NULL AND user_id IS NOT NULL
        ELSE user_id IS NOT NULL
    END) NOT VALID;
COMMENT ON COLUMN chat.events.type IS
    'message.created, message.updated, message.deleted, reaction.added, reaction.removed, conversation.created, '
    'conversation.updated, member.added, member.removed, read.updated, receipt.updated, mute.updated, user.updated '
    'or session.revoked.';
COMMENT ON COLUMN chat.events.user_id IS
    'The user concerned: the member added/removed, the reader (read.updated), the other participant who gets the '
    'receipt (receipt.updated), the muting user (mute.updated), the user updated, the session''s owner.';
COMMENT ON COLUMN chat.events.payload IS
    'Type-specific JSON object: message.created and message.updated {"conversation_id","message"}, message.deleted '
    '{"conversation_id","message_id","seq"}, reaction.added / reaction.removed {"conversation_id","message_id","emoji",'
    '"user_id","count"}, read.updated {"conversation_id","last_read_seq","unread_count","unread_mentions"}, '
    'receipt.updated {"conversation_id","user_id","last_read_seq"} (user_id: the reader), mute.updated '
    '{"conversation_id","muted"}, user.updated {"role","active"}, session.revoked {"session_id"}; {} otherwise.';

-- ---------------------------------------------------------------------------------------------
-- Moving a marker: read (forward) and mark unread (back), with their events.

DROP FUNCTION IF EXISTS chat.move_read_marker(uuid, text, bigint, boolean);
CREATE FUNCTION chat.move_read_marker(conversation uuid, reader text, target bigint, backward boolean)
    RETURNS TABLE (last_read_seq bigint, unread_count bigint, unread_mentions bigint)
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
    chat_row chat.conversations;
    moved bigint;
    marker bigint;
    peer text;
BEGIN
    SELECT * INTO chat_row FROM chat.conversations c WHERE c.id = conversation;
    IF backward THEN
        UPDATE chat.read_markers r SET last_read_seq = target, updated_at = now()
         WHERE r.conversation_id = conversation AND r.user_id = reader AND r.last_read_seq > target
        RETURNING r.last_read_seq INTO moved;
    ELSE
        INSERT INTO chat.read_markers AS r (conversation_id, user_id, last_read_seq)
        VALUES (conversation, reader, target)
        ON CONFLICT (conversation_id, user_id) DO UPDATE
           SET last_read_seq = EXCLUDED.last_read_seq, updated_at = now()
         WHERE r.last_read_seq < EXCLUDED.last_read_seq
        RETURNING r.last_read_seq INTO moved;
    END IF;
    marker := coalesce(moved, (SELECT r.last_read_seq FROM chat.read_markers r
                                WHERE r.conversation_id = conversation AND r.user_id = reader), 0);
    last_read_seq := marker;
    unread_count := chat.unread_count(conversation, chat_row.last_seq, marker);
    unread_mentions := chat.unread_mentions(conversation, reader, marker);
    IF moved IS NOT NULL THEN
        INSERT INTO chat.events (type, conversation_id, user_id, payload)
        VALUES ('read.updated', conversation, reader,
                jsonb_build_object('conversation_id', conversation::text, 'last_read_seq', marker,
                                   'unread_count', unread_count, 'unread_mentions', unread_mentions));
        IF chat_row.kind = 'direct' THEN
            peer := CASE WHEN chat_row.direct_user_low = reader THEN chat_row.direct_user_high ELSE chat_row.direct_user_low END;
            INSERT INTO chat.events (type, conversation_id, user_id, payload)
            VALUES ('receipt.updated', conversation, peer,
                    jsonb_build_object('conversation_id', conversation::text, 'user_id', reader, 'last_read_seq', marker));
        END IF;
    END IF;
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION chat.move_read_marker(uuid, text, bigint, boolean) IS
    'Moves reader''s marker in a conversation to target: forward only (POST .../read), or back only when backward '
    '(POST .../unread passes seq - 1). When it moved: read.updated to the reader and, in a direct chat, '
    'receipt.updated to the other participant. Returns the marker and the reader''s unread and unread-mention '
    'counts. (Sending moves the sender''s marker without these events: message.created says it.)';
