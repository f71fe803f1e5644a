// What the signed-in user may do to a message, as the API allows it (API.md, "Messages: edit,
// delete, reply, react"): the page offers only these, the API still has the last word.

/**
 * `{reply, react, edit, delete, markUnread}` for `message`, seen by `me` in a conversation
 * where they may (`canSend`) or may not send. Nothing on system, deleted or unconfirmed
 * messages; "Mark unread" only on others' messages (one's own never count as unread).
 */
export function allowedActions(message, { me, canSend }) {
  if (message.kind === 'system' || message.deleted || message.id === undefined || message.status) {
    return { reply: false, react: false, edit: false, delete: false, markUnread: false };
  }
  const own = Boolean(me) && message.sender?.id === me.id;
  return {
    reply: canSend,
    react: true,
    edit: own,
    delete: own || me?.role === 'admin',
    markUnread: !own,
  };
}
