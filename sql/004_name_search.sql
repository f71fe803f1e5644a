-- 004_name_search: indexes for the start-chat and create-circle-chat search boxes.
--
-- Users: GET /v1/users?q= matches names that CONTAIN q (case-insensitive) or emails that START with it:
--   lower(name) LIKE '%' || lower(q) || '%'  OR  lower(email) LIKE lower(q) || '%'
-- Circles: GET /v1/circles?q= matches names containing q the same way.
-- (Escape % _ and \ in q before building the pattern.)
--
-- Prefix search is a plain btree with text_pattern_ops. "Contains" needs pg_trgm (contrib); it is a
-- trusted extension from PostgreSQL 13, so a database owner may create it. If it cannot be created
-- here, the trigram indexes are skipped with a WARNING and name search falls back to a scan, which is
-- fine for tens of thousands of users. Idempotent.

-- The IF NOT EXISTS / DROP ... IF EXISTS notices of a re-run are noise.
SET LOCAL client_min_messages = warning;

CREATE INDEX IF NOT EXISTS users_email_prefix_idx ON chat.users (lower(email) text_pattern_ops);
CREATE INDEX IF NOT EXISTS users_name_prefix_idx ON chat.users (lower(name) text_pattern_ops);
CREATE INDEX IF NOT EXISTS circles_name_prefix_idx ON chat.circles (lower(name) text_pattern_ops);

DO $$
DECLARE
    trgm_schema name;
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN OTHERS THEN
        RAISE WARNING 'pg_trgm is not available (%): name search will scan instead of using a trigram index', SQLERRM;
    END;
    SELECT extnamespace::regnamespace::name INTO trgm_schema FROM pg_extension WHERE extname = 'pg_trgm';
    IF trgm_schema IS NOT NULL THEN
        EXECUTE format('CREATE INDEX IF NOT EXISTS users_name_trgm_idx ON chat.users USING gin (lower(name) %I.gin_trgm_ops)', trgm_schema);
        EXECUTE format('CREATE INDEX IF NOT EXISTS circles_name_trgm_idx ON chat.circles USING gin (lower(name) %I.gin_trgm_ops)', trgm_schema);
        COMMENT ON INDEX chat.users_name_trgm_idx IS 'Trigram index for "name contains q" (pg_trgm).';
        COMMENT ON INDEX chat.circles_name_trgm_idx IS 'Trigram index for "circle name contains q" (pg_trgm).';
    END IF;
END $$;

COMMENT ON INDEX chat.users_email_prefix_idx IS 'For "email starts with q": lower(email) LIKE ''q%''.';
COMMENT ON INDEX chat.users_name_prefix_idx IS 'For "name starts with q" (ranked first in search results).';
COMMENT ON INDEX chat.circles_name_prefix_idx IS 'For "circle name starts with q".';
