// The message field: Enter sends, Shift+Enter starts a new line, the button sends too.
// Above it, a "Replying to" bar while the next message answers another (Esc or × cancels),
// and the @-suggestions (MentionPicker) while a name is being typed.
import { fitHeight, h } from './dom.js';
import { previewOf, scalarLength } from './format.js';
import { MentionPicker } from './mention-picker.js';
import { showToast } from './toast.js';

const MAX_BODY_LENGTH = 4000;

/** True when `body` is within the API's length limit; else says so in a toast. */
export function fitsBodyLimit(body) {
  if (scalarLength(body) <= MAX_BODY_LENGTH) return true;
  showToast(`A message can have at most ${MAX_BODY_LENGTH} characters.`);
  return false;
}

/**
 * Wires the composer form: `onSend(body, replyTo, mentions)` gets each body `canSubmit` lets go, the
 * message it answers (or null) and the users it mentions (`[{id, name}]`); `onTyping()` runs
 * at each change of the text the user makes; `loadMembers()` and `me` feed the @-suggestions.
 */
export class Composer {
  #replyTo = null;
  /** Whether `body` may go now; the view widens it (files alone may be sent) and narrows it (not while uploading). */
  canSubmit = (body) => body.trim().length > 0;

  constructor(form, { onSend, onTyping, loadMembers, me }) {
    this.form = form;
    this.input = form.querySelector('textarea');
    this.replyBar = form.querySelector('.composer__reply');
    this.replyText = form.querySelector('.composer__reply-text');
    this.onSend = onSend;
    this.mentions = new MentionPicker(this.input, form.querySelector('.mention-options'), { loadMembers, me });
    this.input.addEventListener('keydown', (event) => {
      if (this.mentions.handleKey(event)) return;
      if (event.key === 'Escape' && this.#replyTo) {
        event.preventDefault();
        this.cancelReply();
        return;
      }
      if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
      event.preventDefault();
      this.#submit();
    });
    this.input.addEventListener('input', (event) => {
      fitHeight(this.input);
      if (event.isTrusted && this.input.value.trim() !== '') onTyping();
    });
    form.querySelector('.composer__reply-cancel').addEventListener('click', () => {
      this.cancelReply();
      this.focus();
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.#submit();
    });
  }

  /** The message the next send answers, or null. */
  get replyTo() {
    return this.#replyTo;
  }

  focus() {
    this.input.focus();
  }

  /** Makes the next message a reply to `message` and puts the cursor in the field. */
  startReply(message) {
    this.#replyTo = message;
    this.replyText.replaceChildren(
      h('span', { class: 'composer__reply-label' }, 'Replying to ', h('strong', {}, message.sender?.name ?? '')),
      h('span', { class: 'composer__reply-preview' }, previewOf(message.body ?? '')));
    this.replyBar.hidden = false;
    this.focus();
  }

  cancelReply() {
    this.#replyTo = null;
    this.replyBar.hidden = true;
    this.replyText.replaceChildren();
  }

  #submit() {
    const body = this.input.value;
    if (!this.canSubmit(body)) return;
    if (!fitsBodyLimit(body)) return;
    const replyTo = this.#replyTo;
    const mentions = this.mentions.mentionsIn(body);
    this.input.value = '';
    fitHeight(this.input);
    this.cancelReply();
    this.mentions.reset();
    this.onSend(body, replyTo, mentions);
  }
}
