// One row of the 1:1 or circle list.
import { avatar } from './avatar.js';
import { h, plural, unreadBadge } from './dom.js';
import { formatFullTime, formatListTime, parseTime } from './format.js';
import { conversationHash } from './router.js';

function previewText(conversation, me) {
  const last = conversation.last_message;
  if (!last) return h('span', { class: 'conversation-row__preview conversation-row__preview--empty' }, 'No messages yet');
  const sender = last.sender?.id === me?.id ? 'You' : conversation.kind === 'circle' ? last.sender?.name : null;
  return h('span', { class: `conversation-row__preview${last.deleted ? ' conversation-row__preview--deleted' : ''}` },
    sender ? h('span', { class: 'conversation-row__sender' }, `${sender}: `) : null,
    // A message with no text carries files (API.md, "Attachments").
    last.deleted ? 'Message deleted' : (last.body_preview || '📎 Attachment'));
}

function timestamp(conversation, now) {
  const date = parseTime(conversation.last_message?.created_at ?? conversation.last_activity_at);
  if (!date) return null;
  return h('time', { class: 'conversation-row__time', datetime: date.toISOString(), title: formatFullTime(date) },
    formatListTime(date, now));
}

function rowAvatar(conversation) {
  if (conversation.kind === 'direct') {
    const peer = conversation.peer ?? {};
    return avatar({ id: peer.id, name: peer.name ?? conversation.title, avatarURL: peer.avatar_url });
  }
  return avatar({ id: conversation.circle?.id ?? conversation.id, name: conversation.circle?.name ?? conversation.title });
}

function circleDetails(conversation) {
  return h('span', { class: 'conversation-row__details' },
    conversation.custom_title ? h('span', { class: 'conversation-row__custom-title' }, conversation.custom_title) : null,
    h('span', { class: 'conversation-row__members' }, plural(conversation.member_count ?? 0, 'member')),
    conversation.send_policy === 'admins_only' ? h('span', { class: 'tag tag--admin-only' }, 'Admin Only') : null);
}

/** The bell-with-a-slash of a muted conversation. */
function mutedIcon() {
  return h('span', { class: 'conversation-row__muted', title: 'Muted' },
    h('span', { 'aria-hidden': 'true' }, '🔕'), h('span', { class: 'visually-hidden' }, 'Muted'));
}

/** The `@` badge while a message that mentions the user is unread. */
function mentionBadge(count) {
  return h('span', { class: 'mention-badge', 'data-mentions': count, title: plural(count, 'unread mention') },
    h('span', { 'aria-hidden': 'true' }, '@'), h('span', { class: 'visually-hidden' }, plural(count, 'unread mention')));
}

/**
 * Builds the row: avatar, name (bold when unread), muted icon, details, preview, time, `@`
 * badge, unread badge (grey when muted).
 */
export function conversationRow(conversation, { me, activeID, now = new Date() }) {
  const unread = conversation.unread_count ?? 0;
  const mentions = conversation.unread_mentions ?? 0;
  const { muted } = conversation;
  const isCircle = conversation.kind === 'circle';
  const name = isCircle ? (conversation.circle?.name ?? conversation.title) : (conversation.peer?.name ?? conversation.title);
  const isActive = conversation.id === activeID;
  return h('li', {
    class: `conversation-row${unread > 0 ? ' conversation-row--unread' : ''}${isActive ? ' conversation-row--active' : ''}${muted ? ' conversation-row--muted' : ''}`,
    'data-conversation-id': conversation.id,
  },
  h('a', { class: 'conversation-row__link', href: conversationHash(conversation.id), 'aria-current': isActive ? 'page' : null },
    rowAvatar(conversation),
    h('span', { class: 'conversation-row__main' },
      h('span', { class: 'conversation-row__top' },
        h('span', { class: 'conversation-row__name' }, name ?? ''),
        muted ? mutedIcon() : null,
        timestamp(conversation, now)),
      isCircle ? circleDetails(conversation) : null,
      h('span', { class: 'conversation-row__bottom' },
        previewText(conversation, me),
        mentions > 0 ? mentionBadge(mentions) : null,
        unread > 0 ? unreadBadge(unread) : null))));
}
