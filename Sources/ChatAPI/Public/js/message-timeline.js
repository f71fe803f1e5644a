// Renders a conversation's messages, grouped by day in the viewer's time zone:
// own messages right in a coloured bubble, others left with avatar (and, in circle
// chats, the sender's name), system messages as centred lines. Unchanged messages keep their
// nodes between renders; a rebuilt one gets back the focus it held.
import { h } from './dom.js';
import { ElementCache, reconcileChildren } from './element-cache.js';
import { dayKey, formatDaySeparator, parseTime } from './format.js';
import { messageItem } from './message-item.js';
import { allowedActions } from './message-permissions.js';

/** Messages of one sender closer than this in time share one avatar and name. */
const RUN_GAP_MS = 5 * 60 * 1000;

/** Everything an item shows, so an unchanged one is kept as it is. */
function itemSignature(message, { continued, isCircle, allowed, editing, receipt }) {
  const { status, kind, body, edited_at, deleted, reply_to, reactions, mentions, sender, attachments } = message;
  return JSON.stringify([status, kind, body, edited_at, deleted, reply_to, reactions, mentions, sender?.name,
    sender?.avatar_url, attachments, continued, isCircle, allowed, editing, receipt]);
}

/** Where focus is inside the list (message and part), to restore it after a re-render. */
function focusedPart(container) {
  const active = document.activeElement;
  if (!active || !container.contains(active)) return null;
  const item = active.closest('[data-message-id]');
  const part = active.closest('[data-focus-key]');
  return item ? { id: item.dataset.messageId, key: part?.dataset.focusKey ?? null } : null;
}

/** The message list of one open conversation. */
export class MessageTimeline {
  #items = new ElementCache();
  #days = new ElementCache();

  constructor(container) {
    this.container = container;
  }

  /** The item of a message id, when it is rendered. */
  item(id) {
    return this.container.querySelector(`[data-message-id="${CSS.escape(String(id))}"]`);
  }

  /**
   * Shows `messages` (server messages in seq order, then the local ones still sending or
   * failed). `canSend` says whether replies may be offered; `editor` is the in-place editor
   * open on one message, if any; `receiptOf(message)` says what to show about its readers;
   * `handlers` are the item actions (see message-item.js).
   */
  render(messages, { me, isCircle, canSend, editor, receiptOf, handlers, now = new Date() }) {
    const focused = focusedPart(this.container);
    const days = [];
    let previous = null;
    for (const message of messages) {
      const date = parseTime(message.created_at) ?? now;
      const key = dayKey(date);
      if (days.length === 0 || days.at(-1).key !== key) {
        days.push({ key, date, items: [] });
        previous = null;
      }
      const isSystem = message.kind === 'system';
      const continued = !isSystem && previous !== null
        && previous.message.sender?.id === message.sender?.id
        && date - previous.date < RUN_GAP_MS;
      // A local message becomes a server one under a new key: the confirmed bubble is rebuilt once.
      const itemKey = message.id !== undefined ? `id:${message.id}` : `client:${message.client_id}`;
      const allowed = allowedActions(message, { me, canSend });
      const ownEditor = editor && editor.messageID === message.id ? editor : null;
      const receipt = receiptOf(message);
      const signature = itemSignature(message, { continued, isCircle, allowed, editing: Boolean(ownEditor), receipt });
      days.at(-1).items.push(this.#items.element(itemKey, signature,
        () => messageItem(message, date, { me, isCircle, continued, allowed, editor: ownEditor, receipt, handlers })));
      previous = isSystem ? null : { message, date };
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
    this.#restoreFocus(focused);
  }

  #restoreFocus(focused) {
    if (!focused || this.container.contains(document.activeElement)) return;
    const item = this.item(focused.id);
    const part = focused.key === null ? null : item?.querySelector(`[data-focus-key="${CSS.escape(focused.key)}"]`);
    (part ?? item)?.focus({ preventScroll: true });
  }
}
