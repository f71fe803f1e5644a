// One item of the timeline: a user's message (quote of what it replies to, bubble with its
// mentions highlighted, reaction chips, time, "edited", "Seen" / "Seen by N", and the actions
// the viewer may take), a "Message deleted" line, or a system message as a centred grey line. Every interactive part carries `data-focus-key`, so
// the timeline can give focus back after the item is rebuilt.
import { attachmentBlock } from './attachment-view.js';
import { avatar } from './avatar.js';
import { h } from './dom.js';
import { formatFullTime, formatMessageTime, parseTime } from './format.js';
import { mentionedText } from './mention-text.js';

function statusLine(message, onRetry) {
  if (message.status === 'sending') return h('span', { class: 'message__status' }, 'Sending…');
  if (message.status === 'failed') {
    return h('span', { class: 'message__status message__status--failed' }, 'Not sent. ',
      h('button', { type: 'button', class: 'link-button', 'data-focus-key': 'retry', onclick: () => onRetry(message) }, 'Retry'));
  }
  return null;
}

function timeElement(date) {
  return h('time', { datetime: date.toISOString(), title: formatFullTime(date) }, formatMessageTime(date));
}

function editedLabel(message) {
  const edited = parseTime(message.edited_at);
  if (!edited || message.deleted) return null;
  return h('span', { class: 'message__edited', title: `Edited ${formatFullTime(edited)}` }, 'edited');
}

/** The quoted message above a reply; a click scrolls to the original. */
function quoteBlock(quote, onShowOriginal) {
  return h('button', {
    type: 'button',
    class: `message__quote${quote.deleted ? ' message__quote--deleted' : ''}`,
    title: 'Show the original message',
    'data-focus-key': 'quote',
    onclick: () => onShowOriginal(quote),
  },
  h('span', { class: 'visually-hidden' }, 'In reply to '),
  h('span', { class: 'message__quote-sender' }, quote.sender?.name ?? ''),
  quote.deleted
    ? h('span', { class: 'message__quote-text message__quote-text--deleted' }, 'Message deleted')
    : h('span', { class: 'message__quote-text' }, quote.body_preview ?? ''));
}

function reactionChips(message, canReact, onToggleReaction) {
  const reactions = message.reactions ?? [];
  if (reactions.length === 0) return null;
  return h('div', { class: 'message__reactions', role: 'group', 'aria-label': 'Reactions' },
    reactions.map((reaction) => h('button', {
      type: 'button',
      class: `reaction-chip${reaction.me ? ' reaction-chip--mine' : ''}`,
      'aria-pressed': String(Boolean(reaction.me)),
      'aria-label': `${reaction.emoji} ${reaction.count}${reaction.me ? ', including you' : ''}`,
      title: reaction.me ? 'Remove your reaction' : 'React with this too',
      disabled: !canReact,
      'data-emoji': reaction.emoji,
      'data-focus-key': `reaction:${reaction.emoji}`,
      onclick: () => onToggleReaction(message, reaction.emoji),
    },
    h('span', { class: 'reaction-chip__emoji', 'aria-hidden': 'true' }, reaction.emoji),
    h('span', { class: 'reaction-chip__count', 'aria-hidden': 'true' }, String(reaction.count)))));
}

function actionButton(key, label, onclick) {
  return h('button', { type: 'button', class: 'message__action', 'data-action': key, 'data-focus-key': key, onclick }, label);
}

/** The actions the viewer may take, beside the time: shown on hover and on keyboard focus. */
function actionBar(message, allowed, handlers) {
  const buttons = [
    allowed.reply ? actionButton('reply', 'Reply', () => handlers.onReply(message)) : null,
    allowed.react ? actionButton('react', 'React', (event) => handlers.onReact(message, event.currentTarget)) : null,
    allowed.edit ? actionButton('edit', 'Edit', () => handlers.onEdit(message)) : null,
    allowed.delete ? actionButton('delete', 'Delete', (event) => handlers.onDelete(message, event.currentTarget)) : null,
    allowed.markUnread ? actionButton('unread', 'Mark unread', () => handlers.onMarkUnread(message)) : null,
  ].filter(Boolean);
  if (buttons.length === 0) return null;
  return h('div', { class: 'message__actions', role: 'toolbar', 'aria-label': 'Message actions' }, buttons);
}

/**
 * The receipt under an own message: `{seen: true}` ("Seen", direct chats) or `{readers: N}`
 * ("Seen by N", circle chats: a button that lists who).
 */
function receiptLabel(message, receipt, onShowReaders) {
  if (receipt?.seen) return h('span', { class: 'message__receipt message__receipt--seen' }, 'Seen');
  if (receipt?.readers > 0) {
    return h('button', {
      type: 'button',
      class: 'link-button message__receipt message__receipt--readers',
      'aria-haspopup': 'dialog',
      'data-focus-key': 'readers',
      onclick: (event) => onShowReaders(message, event.currentTarget),
    }, `Seen by ${receipt.readers}`);
  }
  return null;
}

/** Time, "edited", sending state, receipt, and the actions on the side away from the bubble's edge. */
function metaLine(message, date, { own, actions, receipt, handlers }) {
  const details = [timeElement(date), editedLabel(message), statusLine(message, handlers.onRetry),
    receiptLabel(message, receipt, handlers.onShowReaders)];
  return h('div', { class: 'message__meta' }, own ? [actions, ...details] : [...details, actions]);
}

function bubble(message, editor, me) {
  if (message.deleted) {
    return h('div', { class: 'message__bubble message__bubble--deleted' },
      h('p', { class: 'message__deleted' }, 'Message deleted'));
  }
  if (editor) return editor.element;
  if (message.body === '' && message.attachments?.length) return null; // files only
  return h('div', { class: 'message__bubble' }, h('p', { class: 'message__body' }, mentionedText(message.body ?? '', message.mentions, me?.id)));
}

/** A system message: a centred grey line in the timeline, nobody's bubble. */
function systemItem(message, date) {
  return h('li', {
    class: 'message message--system',
    'data-message-id': message.id,
    'data-seq': message.seq,
    'data-system-type': message.system?.type ?? null,
  }, h('p', { class: 'message__system', title: formatFullTime(date) }, message.body ?? ''));
}

/**
 * Builds the item of `message` (created at `date`). `allowed` is what the viewer may do
 * (see message-permissions.js); `editor` is the in-place editor when this message is being
 * edited; `receipt` is what to say under it about its readers (see receiptLabel); `handlers`
 * are the view's `onRetry`, `onReply`, `onReact`, `onToggleReaction`, `onEdit`, `onDelete`,
 * `onMarkUnread`, `onShowReaders`, `onShowOriginal` and `onAttachmentLinkFailed`.
 */
export function messageItem(message, date, { me, isCircle, continued, allowed, editor, receipt, handlers }) {
  if (message.kind === 'system') return systemItem(message, date);
  const own = message.sender?.id === me?.id;
  const showSender = !own && isCircle && !continued;
  const classes = ['message', own ? 'message--own' : 'message--other'];
  if (continued) classes.push('message--continued');
  if (message.status) classes.push(`message--${message.status}`);
  if (message.deleted) classes.push('message--deleted');
  if (editor) classes.push('message--editing');
  return h('li', {
    class: classes.join(' '),
    // Focusable from script (a quote's "show the original"), not a tab stop of its own.
    tabindex: message.id === undefined ? null : '-1',
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
    message.reply_to && !message.deleted ? quoteBlock(message.reply_to, handlers.onShowOriginal) : null,
    bubble(message, editor, me),
    attachmentBlock(message, handlers.onAttachmentLinkFailed),
    message.deleted ? null : reactionChips(message, allowed.react, handlers.onToggleReaction),
    metaLine(message, date, { own, actions: editor ? null : actionBar(message, allowed, handlers), receipt, handlers })));
}
