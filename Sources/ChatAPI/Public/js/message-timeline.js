// Renders a conversation's messages, grouped by day in the viewer's time zone:
// own messages right in a coloured bubble, others left with avatar (and, in circle
// chats, the sender's name). Unchanged messages keep their nodes between renders.
import { avatar } from './avatar.js';
import { h } from './dom.js';
import { ElementCache, reconcileChildren } from './element-cache.js';
import { dayKey, formatDaySeparator, formatFullTime, formatMessageTime, parseTime } from './format.js';

/** Messages of one sender closer than this in time share one avatar and name. */
const RUN_GAP_MS = 5 * 60 * 1000;

function statusLine(message, onRetry) {
  if (message.status === 'sending') return h('span', { class: 'message__status' }, 'Sending…');
  if (message.status === 'failed') {
    return h('span', { class: 'message__status message__status--failed' }, 'Not sent. ',
      h('button', { type: 'button', class: 'link-button', onclick: () => onRetry(message) }, 'Retry'));
  }
  return null;
}

function messageItem(message, date, { me, isCircle, continued, onRetry }) {
  const own = message.sender?.id === me?.id;
  const showSender = !own && isCircle && !continued;
  const classes = ['message', own ? 'message--own' : 'message--other'];
  if (continued) classes.push('message--continued');
  if (message.status) classes.push(`message--${message.status}`);
  return h('li', {
    class: classes.join(' '),
    'data-message-id': message.id ?? null,
    'data-client-id': message.client_id ?? null,
    'data-seq': message.seq ?? null,
  },
  own ? null : continued
    ? h('span', { class: 'message__avatar-space', 'aria-hidden': 'true' })
    : avatar({ id: message.sender?.id, name: message.sender?.name, avatarURL: message.sender?.avatar_url, size: 'small' }),
  h('div', { class: 'message__content' },
    showSender ? h('p', { class: 'message__sender' }, message.sender?.name ?? '') : null,
    showSender ? null : h('span', { class: 'visually-hidden' }, own ? 'You: ' : `${message.sender?.name ?? ''}: `),
    h('div', { class: 'message__bubble' }, h('p', { class: 'message__body' }, message.body)),
    h('p', { class: 'message__meta' },
      h('time', { datetime: date.toISOString(), title: formatFullTime(date) }, formatMessageTime(date)),
      statusLine(message, onRetry))));
}

/** The message list of one open conversation. */
export class MessageTimeline {
  #items = new ElementCache();
  #days = new ElementCache();

  constructor(container) {
    this.container = container;
  }

  /**
   * Shows `messages` (server messages in seq order, then the local ones still sending or
   * failed). `onRetry(message)` resends a failed one.
   */
  render(messages, { me, isCircle, onRetry, now = new Date() }) {
    const days = [];
    let previous = null;
    for (const message of messages) {
      const date = parseTime(message.created_at) ?? now;
      const key = dayKey(date);
      if (days.length === 0 || days.at(-1).key !== key) {
        days.push({ key, date, items: [] });
        previous = null;
      }
      const continued = previous !== null
        && previous.message.sender?.id === message.sender?.id
        && date - previous.date < RUN_GAP_MS;
      // A local message becomes a server one under a new key: the confirmed bubble is rebuilt once.
      const itemKey = message.id !== undefined ? `id:${message.id}` : `client:${message.client_id}`;
      const signature = `${message.status ?? ''}|${continued}|${isCircle}|${message.sender?.name}|${message.sender?.avatar_url}`;
      days.at(-1).items.push(this.#items.element(itemKey, signature,
        () => messageItem(message, date, { me, isCircle, continued, onRetry })));
      previous = { message, date };
    }
    reconcileChildren(this.container, days.map((day) => {
      const label = formatDaySeparator(day.date, now);
      const section = this.#days.element(day.key, label, () => h('section', { class: 'day', 'aria-label': label },
        h('h3', { class: 'day__separator' }, h('span', {}, label)),
        h('ol', { class: 'day__messages' })));
      reconcileChildren(section.querySelector('.day__messages'), day.items);
      return section;
    }));
    this.#items.sweep();
    this.#days.sweep();
  }
}
