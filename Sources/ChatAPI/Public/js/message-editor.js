// Editing one's own message in place: the bubble becomes a field with the text; Enter saves,
// Shift+Enter starts a new line, Esc cancels. The element outlives re-renders of its message
// (a reaction arriving meanwhile), so what was typed is never lost.
import { fitsBodyLimit } from './composer.js';
import { fitHeight, h } from './dom.js';
import { showToast } from './toast.js';

/** The in-place editor of one message. */
export class MessageEditor {
  #busy = false;

  /**
   * `onSave(body)` stores the new text (and its owner closes the editor once it is stored);
   * `onCancel()` closes it without saving.
   */
  constructor(message, { onSave, onCancel }) {
    this.messageID = message.id;
    this.original = message.body;
    this.onSave = onSave;
    this.onCancel = onCancel;
    this.input = h('textarea', {
      class: 'message-editor__input', rows: '1', 'aria-label': 'Edit message',
      'aria-describedby': `message-editor-hint-${message.id}`, 'data-focus-key': 'editor',
    });
    this.input.value = message.body;
    this.input.addEventListener('keydown', (event) => this.#onKey(event));
    this.input.addEventListener('input', () => fitHeight(this.input));
    this.element = h('form', { class: 'message-editor', novalidate: true, onsubmit: (event) => { event.preventDefault(); this.save(); } },
      this.input,
      h('p', { class: 'message-editor__hint', id: `message-editor-hint-${message.id}` },
        'Enter to ', h('button', { type: 'submit', class: 'link-button' }, 'save'),
        ' · Esc to ', h('button', { type: 'button', class: 'link-button', onclick: () => this.onCancel() }, 'cancel')));
  }

  /** Puts the cursor at the end of the text. */
  focus() {
    fitHeight(this.input);
    this.input.focus();
    this.input.setSelectionRange(this.input.value.length, this.input.value.length);
  }

  async save() {
    if (this.#busy) return;
    const body = this.input.value;
    if (body === this.original) {
      this.onCancel();
      return;
    }
    if (body.trim().length === 0) {
      showToast('A message cannot be empty. Delete it instead.');
      return;
    }
    if (!fitsBodyLimit(body)) return;
    this.#busy = true;
    this.input.readOnly = true;
    this.element.setAttribute('aria-busy', 'true');
    try {
      await this.onSave(body);
    } finally {
      this.#busy = false;
      this.input.readOnly = false;
      this.element.removeAttribute('aria-busy');
    }
  }

  #onKey(event) {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this.onCancel();
    } else if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      this.save();
    }
  }
}
