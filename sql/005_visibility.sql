-- 005_visibility: who may see a conversation, written once. Every query of the services that
-- asks it goes through these (the API's reads and sends, the gateway's replay and access
-- checks, the views of 003); the gateway's in-memory mirror is Audience.admits (a test keeps
-- the two in agreement).
--
-- The rule: a direct chat is seen by its two participants; a circle chat by the circle's
-- current members and by every admin. Being inactive does not change it (an inactive user
-- cannot authenticate, so sees nothing anyway).
--
-- The functions are LANGUAGE sql STABLE with one SELECT, so the planner inlines them into the
-- calling query and plans through the indexes as if the text were written there.
-- Idempotent (CREATE OR REPLACE).

SET LOCAL client_min_messages = warning;

CREATE OR REPLACE VIEW chat.conversation_members AS
    SELECT dp.conversation_id, dp.user_id, 'direct'::text AS kind
      FROM chat.direct_participants dp
    UNION ALL
    SELECT c.id, cm.user_id, 'circle'::text
      FROM chat.circle_members cm
      JOIN chat.conversations c ON c.circle_id = cm.circle_id;
COMMENT ON VIEW chat.conversation_members IS
    'The members of each conversation, one row per (conversation, user): the two participants of a direct chat, '
    'the current members of a circle chat''s circle. Admins see every circle chat besides '
    '(chat.visible_conversations); this view does not list them.';
COMMENT ON COLUMN chat.conversation_members.conversation_id IS 'The conversation.';
COMMENT ON COLUMN chat.conversation_members.user_id IS 'A participant (direct chat) or member of the circle (circle chat).';
COMMENT ON COLUMN chat.conversation_members.kind IS 'The conversation''s kind: direct or circle.';

CREATE OR REPLACE FUNCTION chat.visible_conversations(viewer text, viewer_is_admin boolean, only_kind text DEFAULT NULL)
    RETURNS SETOF chat.conversations
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT c.* FROM chat.conversations c
     WHERE c.id IN (SELECT m.conversation_id FROM chat.conversation_members m
                     WHERE m.user_id = viewer
                       AND NOT (viewer_is_admin AND m.kind = 'circle')
                       AND m.kind = coalesce(only_kind, m.kind))
    UNION ALL
    SELECT c.* FROM chat.conversations c
     WHERE viewer_is_admin AND c.kind = 'circle' AND coalesce(only_kind, 'circle') = 'circle'
$$;
COMMENT ON FUNCTION chat.visible_conversations(text, boolean, text) IS
    'THE access rule: the conversations the user `viewer` may see, each once: those it is a member of '
    '(chat.conversation_members) and, when viewer_is_admin, every circle chat. viewer_is_admin is the role the '
    'caller authenticated with (the services pass the session''s role); only_kind (direct or circle) keeps one kind. '
    'Inlined by the planner, so a filter on the result (c.id = $1) reaches the indexes. E.g. '
    'SELECT id, kind FROM chat.visible_conversations(''u1'', false) ORDER BY last_activity_at DESC; '
    'SELECT EXISTS (SELECT 1 FROM chat.visible_conversations(''u1'', false) c WHERE c.id = ''…'').';

-- The DBA views of 003, now on the rule.
CREATE OR REPLACE VIEW chat.conversation_access AS
    SELECT c.id AS conversation_id, u.id AS user_id,
           CASE WHEN c.kind = 'direct' THEN 'participant'
                WHEN EXISTS (SELECT 1 FROM chat.circle_members cm WHERE cm.circle_id = c.circle_id AND cm.user_id = u.id)
                     THEN 'member'
                ELSE 'admin' END AS access,
           c.kind = 'direct' OR c.send_policy = 'all_members' OR u.role = 'admin' AS can_send
      FROM chat.users u
     CROSS JOIN LATERAL chat.visible_conversations(u.id, u.role = 'admin' AND u.active) c;
COMMENT ON VIEW chat.conversation_access IS
    'Who can see which conversation, one row per (conversation, user): chat.visible_conversations for every user, '
    'with each active admin seen as an admin. Filter it by user_id (cheap) or conversation_id. Inactive users still '
    'appear as participants and members but cannot authenticate.';
