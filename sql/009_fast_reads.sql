-- 009_fast_reads: what the profile of sends and history pages found (docs/benchmarks.md, "Where
-- a send's and a page's time went"). Two functions change how they are declared or built; no data
-- and no result changes.
--
-- 1. chat.rfc3339 was declared IMMUTABLE, but to_char on a timestamp is only STABLE, and the
--    planner never inlines a function whose body is more volatile than its declaration: every
--    call ran through the SQL-function executor (about 2 µs a call, and a parse and plan of the
--    body once per statement execution). Declared STABLE, it is inlined into every query and
--    trigger statement that builds a payload or a page (each message has two timestamps). It
--    is used by no index, constraint or generated column, where IMMUTABLE would be needed.
-- 2. chat.mentions_of looked the users up even for a message that mentions nobody (nearly all
--    of them): now the lookup runs only for a non-empty list.
-- 3. The unread counts of a list page were two scalar SQL functions per row (chat.unread_count,
--    chat.unread_mentions), which the planner cannot inline (their bodies hold a subquery): each
--    list query parsed and planned both bodies again. chat.unread_of returns both as one
--    set-returning function, joined LATERAL and inlined; the two scalar functions stay for DBAs,
--    now written over it, so the rule is still in one place.
-- 4. chat.visible_conversations found the viewer's conversations with IN (a semi-join: the
--    planner dedupes the ids with a hash before it reads them); a conversation is in
--    chat.conversation_members at most once per user (the primary keys of direct_participants
--    and circle_members, and one chat per circle), so a plain join says the same and reads
--    them directly: a quarter off an admin's list of 512 direct chats. Same rule, same rows.

SET LOCAL client_min_messages = warning;

ALTER FUNCTION chat.rfc3339(timestamptz) STABLE;
COMMENT ON FUNCTION chat.rfc3339(timestamptz) IS
    'The API''s timestamp form: RFC 3339 in UTC with milliseconds (truncated), e.g. 2026-11-25T12:00:00.123Z. '
    'Every timestamp in a JSON payload built by the database goes through it. STABLE like to_char, so that the '
    'planner inlines it.';

CREATE OR REPLACE FUNCTION chat.mentions_of(user_ids text[]) RETURNS TABLE (mentions jsonb)
    LANGUAGE sql STABLE
    AS $$
    SELECT CASE WHEN cardinality(user_ids) > 0 THEN (
               SELECT coalesce(jsonb_agg(jsonb_build_object('id', u.id, 'name', u.name) ORDER BY x.ord), '[]'::jsonb)
                 FROM unnest(user_ids) WITH ORDINALITY AS x(id, ord) JOIN chat.users u ON u.id = x.id)
           ELSE '[]'::jsonb END
    $$;
COMMENT ON FUNCTION chat.mentions_of(text[]) IS
    'A message''s mentions as the message object shows them, one row: [{"id","name"}] in the order given; [] for '
    'none (no user is looked up).';

CREATE OR REPLACE FUNCTION chat.unread_of(conversation uuid, last_seq bigint, last_read_seq bigint, reader text)
    RETURNS TABLE (unread_count bigint, unread_mentions bigint)
    LANGUAGE sql STABLE
    AS $$
    SELECT greatest(last_seq - last_read_seq - (
               SELECT count(*) FROM chat.messages m
                WHERE m.conversation_id = conversation AND m.seq > last_read_seq
                  AND (m.kind = 'system' OR m.deleted_at IS NOT NULL)), 0),
           (SELECT count(*) FROM chat.message_mentions mm
             WHERE mm.user_id = reader AND mm.conversation_id = conversation AND mm.seq > last_read_seq)
    $$;
COMMENT ON FUNCTION chat.unread_of(uuid, bigint, bigint, text) IS
    'THE unread rule, one row for a reader whose marker in a conversation is last_read_seq (last_seq: the '
    'conversation''s): unread_count, every seq after the marker (sending moves the sender''s own marker, so those '
    'are others'' messages) less the system and deleted messages among them, counted through the partial index '
    'messages_uncounted_idx only; unread_mentions, the messages after the marker that mention reader, an index-only '
    'count on message_mentions_unread_idx. Computed from the rows as they are, so concurrent deletions, edits and '
    'reads cannot make it drift. Joined LATERAL it is inlined, e.g. SELECT c.id, u.* FROM chat.conversations c '
    'LEFT JOIN chat.read_markers r ON r.conversation_id = c.id AND r.user_id = ''u1'' CROSS JOIN LATERAL '
    'chat.unread_of(c.id, c.last_seq, coalesce(r.last_read_seq, 0), ''u1'') u.';

CREATE OR REPLACE FUNCTION chat.unread_count(conversation uuid, last_seq bigint, last_read_seq bigint) RETURNS bigint
    LANGUAGE sql STABLE
    AS $$ SELECT u.unread_count FROM chat.unread_of(conversation, last_seq, last_read_seq, NULL) AS u $$;
COMMENT ON FUNCTION chat.unread_count(uuid, bigint, bigint) IS
    'chat.unread_of''s unread_count as a value, for one conversation (a DBA''s query); for many, join chat.unread_of.';

CREATE OR REPLACE FUNCTION chat.unread_mentions(conversation uuid, reader text, last_read_seq bigint) RETURNS bigint
    LANGUAGE sql STABLE
    AS $$ SELECT u.unread_mentions FROM chat.unread_of(conversation, 0, last_read_seq, reader) AS u $$;
COMMENT ON FUNCTION chat.unread_mentions(uuid, text, bigint) IS
    'chat.unread_of''s unread_mentions as a value, for one conversation (a DBA''s query); for many, join chat.unread_of.';

CREATE OR REPLACE FUNCTION chat.visible_conversations(viewer text, viewer_is_admin boolean, only_kind text DEFAULT NULL)
    RETURNS SETOF chat.conversations
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT c.* FROM chat.conversation_members m JOIN chat.conversations c ON c.id = m.conversation_id
     WHERE m.user_id = viewer
       AND NOT (viewer_is_admin AND m.kind = 'circle')
       AND m.kind = coalesce(only_kind, m.kind)
    UNION ALL
    SELECT c.* FROM chat.conversations c
     WHERE viewer_is_admin AND c.kind = 'circle' AND coalesce(only_kind, 'circle') = 'circle'
$$;
