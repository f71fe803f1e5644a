// The conversation's header: avatar, name and email (1:1), or circle name, member count
// and a View Circle link (circle chats); the mute toggle for both.
import { avatar } from './avatar.js';
import { h, plural, safeHTTPURL } from './dom.js';
import { listHash } from './router.js';

/** Fills the header cloned from the page's template. */
export function fillConversationHeader(header, conversation) {
  const isCircle = conversation.kind === 'circle';
  header.querySelector('.conversation-header__back').href = listHash(conversation.kind);

  const avatarSlot = header.querySelector('.conversation-header__avatar');
  avatarSlot.replaceChildren(isCircle
    ? avatar({ id: conversation.circle?.id, name: conversation.circle?.name ?? conversation.title, size: 'large' })
    : avatar({ id: conversation.peer?.id, name: conversation.peer?.name ?? conversation.title, avatarURL: conversation.peer?.avatar_url, size: 'large' }));

  header.querySelector('.conversation-header__title').textContent =
    isCircle ? conversation.title : (conversation.peer?.name ?? conversation.title);

  const subtitle = header.querySelector('.conversation-header__subtitle');
  if (isCircle) {
    const circleName = conversation.custom_title ? conversation.circle?.name : null;
    subtitle.replaceChildren(
      circleName ? h('span', { class: 'conversation-header__circle-name' }, circleName) : '',
      h('span', { class: 'conversation-header__members' }, plural(conversation.member_count ?? 0, 'member')),
      conversation.send_policy === 'admins_only' ? h('span', { class: 'tag tag--admin-only' }, 'Admin Only') : '');
  } else {
    subtitle.replaceChildren(h('span', { class: 'conversation-header__email' }, conversation.peer?.email ?? ''));
  }

  const mute = header.querySelector('.conversation-header__mute');
  mute.setAttribute('aria-pressed', String(Boolean(conversation.muted)));
  // A toggle keeps its name ("Mute"); pressed means muted.
  mute.replaceChildren(h('span', { class: 'conversation-header__mute-icon', 'aria-hidden': 'true' }, conversation.muted ? '🔕' : '🔔'), 'Mute');

  const circleLink = header.querySelector('.conversation-header__circle-link');
  const circleURL = isCircle ? safeHTTPURL(conversation.circle?.url) : null;
  circleLink.hidden = !circleURL;
  if (circleURL) circleLink.href = circleURL;
  else circleLink.removeAttribute('href');
}
