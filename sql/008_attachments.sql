-- 008_attachments: files in messages (API.md, "Attachments"). The bytes live in PostgreSQL, so
-- backups, replicas and this schema cover them.
--
-- An upload is written in pieces while it arrives (chat.upload_chunks, one row per 256 KiB),
-- completed with its size, SHA-256, type and image size, and then attached to at most one
-- message. Unattached uploads older than 24 hours are removed by `chatctl prune`
-- (chat.prune_uploads). Idempotent like the files before it.

SET LOCAL client_min_messages = warning;

CREATE TABLE IF NOT EXISTS chat.uploads (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    uploader_id      chat.entity_id NOT NULL REFERENCES chat.users (id),
    filename         text NOT NULL CONSTRAINT uploads_filename_length CHECK (char_length(filename) BETWEEN 1 AND 255)
                     CONSTRAINT uploads_filename_safe CHECK (filename !~ '[\u0000-\u001f\u007f/\\]'),
    content_type     text NOT NULL DEFAULT 'application/octet-stream'
                     CONSTRAINT uploads_content_type_known CHECK (content_type IN
                         ('image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/octet-stream')),
    size             bigint NOT NULL DEFAULT 0 CONSTRAINT uploads_size_not_negative CHECK (size >= 0),
    sha256           bytea CONSTRAINT uploads_sha256_length CHECK (octet_length(sha256) = 32),
    width            integer CONSTRAINT uploads_width_positive CHECK (width > 0),
    height           integer CONSTRAINT uploads_height_positive CHECK (height > 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    completed_at     timestamptz,
    conversation_id  uuid,
    message_seq      bigint,
    position         smallint CONSTRAINT uploads_position_range CHECK (position BETWEEN 0 AND 9),
    CONSTRAINT uploads_complete_facts CHECK ((completed_at IS NULL) = (sha256 IS NULL)),
    CONSTRAINT uploads_attached_complete CHECK (message_seq IS NULL OR completed_at IS NOT NULL),
    CONSTRAINT uploads_attachment_place CHECK (
        (conversation_id IS NULL) = (message_seq IS NULL) AND (message_seq IS NULL) = (position IS NULL)),
    CONSTRAINT uploads_image_size CHECK ((width IS NULL) = (height IS NULL)),
    -- Deferred: the send path links the uploads to the (conversation, seq) it is about to insert,
    -- in the same transaction, so the message's insert trigger already sees its attachments.
    CONSTRAINT uploads_message_fkey FOREIGN KEY (conversation_id, message_seq)
        REFERENCES chat.messages (conversation_id, seq) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT uploads_position_key UNIQUE (conversation_id, message_seq, position)
);
CREATE INDEX IF NOT EXISTS uploads_unattached_idx ON chat.uploads (created_at) WHERE message_seq IS NULL;
CREATE INDEX IF NOT EXISTS uploads_uploader_idx ON chat.uploads (uploader_id);
COMMENT ON INDEX chat.uploads_unattached_idx IS 'Unattached uploads by age: what chat.prune_uploads removes.';
COMMENT ON INDEX chat.uploads_uploader_idx IS 'A user''s uploads (deleting or auditing a user).';
COMMENT ON TABLE chat.uploads IS
    'One uploaded file (POST /v1/uploads): metadata here, bytes in chat.upload_chunks. Complete once completed_at '
    'is set; attached once conversation_id/message_seq name the message that carries it (at most 10 per message, '
    'position 0-9 in the order sent). A message''s deletion deletes its uploads and their bytes. '
    'psql: SELECT id, filename, content_type, size, encode(sha256, ''hex'') FROM chat.uploads WHERE uploader_id = ''u1'';';
COMMENT ON COLUMN chat.uploads.id IS 'The upload''s id, the attachment id of the API and of download links.';
COMMENT ON COLUMN chat.uploads.uploader_id IS 'Who uploaded it; only they can attach it.';
COMMENT ON COLUMN chat.uploads.filename IS 'The file name as sent, made safe at upload: path separators and control characters replaced by _, leading dots removed, 1-255 characters.';
COMMENT ON COLUMN chat.uploads.content_type IS 'Detected from the bytes (magic numbers), never taken from the client: image/png, image/jpeg, image/gif, image/webp, or application/octet-stream for everything else (HTML or SVG included).';
COMMENT ON COLUMN chat.uploads.size IS 'Bytes stored (the sum of its chunks once complete).';
COMMENT ON COLUMN chat.uploads.sha256 IS 'SHA-256 of the bytes (32 bytes; the download''s ETag), NULL until complete.';
COMMENT ON COLUMN chat.uploads.width IS 'For images: the pixel width read from the file header, else NULL.';
COMMENT ON COLUMN chat.uploads.height IS 'For images: the pixel height read from the file header, else NULL.';
COMMENT ON COLUMN chat.uploads.created_at IS 'When the upload began; unattached uploads are pruned 24 hours after it.';
COMMENT ON COLUMN chat.uploads.completed_at IS 'When the last byte was stored; NULL while it is arriving (or if it broke off: pruned).';
COMMENT ON COLUMN chat.uploads.conversation_id IS 'The conversation of the message it is attached to, NULL while unattached.';
COMMENT ON COLUMN chat.uploads.message_seq IS 'The seq of the message it is attached to (with conversation_id), NULL while unattached.';
COMMENT ON COLUMN chat.uploads.position IS 'Its place among the message''s attachments (0-9, as sent).';

CREATE TABLE IF NOT EXISTS chat.upload_chunks (
    upload_id  uuid NOT NULL REFERENCES chat.uploads (id) ON DELETE CASCADE,
    index      integer NOT NULL CONSTRAINT upload_chunks_index_not_negative CHECK (index >= 0),
    bytes      bytea NOT NULL CONSTRAINT upload_chunks_size CHECK (octet_length(bytes) BETWEEN 1 AND 262144),
    PRIMARY KEY (upload_id, index)
);
-- Stored out of line without compression: images and archives do not compress, and PostgreSQL
-- then need not decompress a chunk to read it.
ALTER TABLE chat.upload_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;
COMMENT ON TABLE chat.upload_chunks IS
    'The bytes of chat.uploads in order, 256 KiB per row (the last one shorter): written as the upload arrives and '
    'read back one row at a time for downloads and ranges, so neither side ever holds a whole file. '
    'psql: SELECT string_agg(bytes, ''''::bytea ORDER BY index) FROM chat.upload_chunks WHERE upload_id = ''...'';';
COMMENT ON COLUMN chat.upload_chunks.upload_id IS 'The upload these bytes belong to.';
COMMENT ON COLUMN chat.upload_chunks.index IS 'The chunk''s place: bytes index*262144 onwards.';
COMMENT ON COLUMN chat.upload_chunks.bytes IS '1 to 262144 bytes of the file (every chunk but the last is full).';

-- The message object gains its attachments as 007 added its mentions: a part of one SELECT,
-- set-returning (inlined where it is joined), passed to chat.message_object as one more
-- argument. The 14-argument chat.message_object goes; its two callers, chat.message_json_of
-- and the INSERT trigger, are redefined to pass the part (the send path links the uploads
-- before it inserts the message, so the trigger's message.created already carries them).

CREATE OR REPLACE FUNCTION chat.attachments_of(conversation uuid, seq bigint) RETURNS TABLE (attachments jsonb)
    LANGUAGE sql STABLE
    AS $$
    SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
               'id', u.id::text, 'filename', u.filename, 'content_type', u.content_type, 'size', u.size,
               'width', u.width, 'height', u.height)) ORDER BY u.position), '[]'::jsonb)
      FROM chat.uploads u
     WHERE u.conversation_id = attachments_of.conversation AND u.message_seq = attachments_of.seq
    $$;
COMMENT ON FUNCTION chat.attachments_of(uuid, bigint) IS
    'A message''s attachments as the stream carries them, one row: [{"id","filename","content_type","size","width"?,'
    '"height"?}] in the order sent (the API adds each reader''s signed "url"); [] for none.';

DROP FUNCTION IF EXISTS chat.message_object(bigint, uuid, bigint, text, jsonb, text, text, timestamptz, timestamptz,
                                            timestamptz, jsonb, jsonb, jsonb, jsonb);
CREATE OR REPLACE FUNCTION chat.message_object(
    id bigint, conversation_id uuid, seq bigint, kind text, sender jsonb, body text, client_id text,
    created_at timestamptz, edited_at timestamptz, deleted_at timestamptz, quote jsonb, reactions jsonb, system jsonb,
    mentions jsonb, attachments jsonb)
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
        'attachments', attachments)
    $$;
COMMENT ON FUNCTION chat.message_object(bigint, uuid, bigint, text, jsonb, text, text, timestamptz, timestamptz, timestamptz, jsonb, jsonb, jsonb, jsonb, jsonb) IS
    'The API''s Message object from a message''s columns and its parts (chat.sender_of, chat.quote_of, chat.reactions_of, '
    'chat.mentions_of, chat.attachments_of): {"id","conversation_id","seq","kind","sender","body","client_id",'
    '"created_at","edited_at","deleted","reply_to","reactions","system","mentions","attachments"}. Use '
    'chat.message_json_of; the INSERT trigger calls this directly with no reactions (a new message has none), so a '
    'send looks none up.';

CREATE OR REPLACE FUNCTION chat.message_json_of(message_id bigint, viewer text) RETURNS TABLE (message jsonb)
    LANGUAGE sql STABLE
    AS $$
    SELECT chat.message_object(m.id, m.conversation_id, m.seq, m.kind, s.sender, m.body, m.client_id,
                               m.created_at, m.edited_at, m.deleted_at, q.quote, r.reactions, m.system, n.mentions,
                               a.attachments)
      FROM chat.messages m
     CROSS JOIN LATERAL chat.reactions_of(m.id, viewer) AS r
     CROSS JOIN LATERAL chat.mentions_of(m.mentions) AS n
     CROSS JOIN LATERAL chat.attachments_of(m.conversation_id, m.seq) AS a
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
                                                             q.quote, '[]'::jsonb, m.system, n.mentions, a.attachments))
      FROM inserted_messages m
     CROSS JOIN LATERAL chat.mentions_of(m.mentions) AS n
     CROSS JOIN LATERAL chat.attachments_of(m.conversation_id, m.seq) AS a
      LEFT JOIN LATERAL chat.sender_of(m.sender_id) AS s ON true
      LEFT JOIN LATERAL chat.quote_of(m.reply_to) AS q ON true
     ORDER BY m.conversation_id, m.seq;
    RETURN NULL;
END
$$;

-- 006 lets a message body be empty only once deleted; a message that carries attachments may
-- have none (API.md: "body may then be empty"). The CHECKs allow the empty body, and a deferred
-- constraint trigger refuses it (as messages_body_length) on a message that has no attachment
-- by the end of its transaction.
ALTER TABLE chat.messages DROP CONSTRAINT IF EXISTS messages_body_length;
ALTER TABLE chat.messages DROP CONSTRAINT IF EXISTS messages_body_not_blank;
ALTER TABLE chat.messages
    ADD CONSTRAINT messages_body_length CHECK (deleted_at IS NOT NULL OR char_length(body) <= 4000),
    ADD CONSTRAINT messages_body_not_blank CHECK (deleted_at IS NOT NULL OR body = '' OR NOT chat.is_blank(body));

CREATE OR REPLACE FUNCTION chat.messages_empty_body_check() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM chat.messages m WHERE m.id = NEW.id AND m.body = '' AND m.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM chat.uploads u WHERE u.conversation_id = NEW.conversation_id AND u.message_seq = NEW.seq) THEN
        RAISE EXCEPTION 'a message needs a body or attachments'
            USING ERRCODE = 'check_violation', SCHEMA = 'chat', TABLE = 'messages', CONSTRAINT = 'messages_body_length';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION chat.messages_empty_body_check() IS
    'Deferred AFTER INSERT on chat.messages: a user message with the empty body must carry attachments (raised as '
    'the check_violation messages_body_length).';
DROP TRIGGER IF EXISTS messages_empty_body_check ON chat.messages;
CREATE CONSTRAINT TRIGGER messages_empty_body_check
    AFTER INSERT ON chat.messages
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (NEW.body = '' AND NEW.kind = 'user')
    EXECUTE FUNCTION chat.messages_empty_body_check();
COMMENT ON TRIGGER messages_empty_body_check ON chat.messages IS 'No empty message without attachments.';

CREATE OR REPLACE FUNCTION chat.messages_delete_attachments() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    DELETE FROM chat.uploads WHERE conversation_id = NEW.conversation_id AND message_seq = NEW.seq;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION chat.messages_delete_attachments() IS
    'AFTER UPDATE OF deleted_at on chat.messages: a deleted message''s attachments are deleted with it, bytes included.';
DROP TRIGGER IF EXISTS messages_delete_attachments ON chat.messages;
CREATE TRIGGER messages_delete_attachments
    AFTER UPDATE OF deleted_at ON chat.messages
    FOR EACH ROW
    WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
    EXECUTE FUNCTION chat.messages_delete_attachments();
COMMENT ON TRIGGER messages_delete_attachments ON chat.messages IS 'Deleting a message deletes its files.';

CREATE OR REPLACE FUNCTION chat.prune_uploads(older_than interval DEFAULT interval '24 hours') RETURNS bigint
    LANGUAGE sql
    AS $$
    WITH gone AS (
        DELETE FROM chat.uploads WHERE message_seq IS NULL AND created_at < now() - older_than RETURNING 1)
    SELECT count(*) FROM gone
    $$;
COMMENT ON FUNCTION chat.prune_uploads(interval) IS
    'Deletes uploads never attached (or never completed) that began more than older_than ago, with their bytes; '
    'returns how many. chatctl prune runs it.';
