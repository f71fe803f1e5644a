// The message field: Enter sends, Shift+Enter starts a new line, the button sends too.
import { scalarLength } from './format.js';
import { showToast } from './toast.js';

const MAX_BODY_LENGTH = 4000;

/** Wires the composer form; `onSend(body)` gets each non-blank body. */
export class Composer {
  constructor(form, onSend) {
    this.form = form;
    this.input = form.querySelector('textarea');
    this.onSend = onSend;
    this.input.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
      event.preventDefault();
      this.#submit();
    });
    this.input.addEventListener('input', () => this.#fitHeight());
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.#submit();
    });
  }

  focus() {
    this.input.focus();
  }

  #submit() {
    const body = this.input.value;
    if (body.trim().length === 0) return;
    if (scalarLength(body) > MAX_BODY_LENGTH) {
      showToast(`A message can have at most ${MAX_BODY_LENGTH} characters.`);
      return;
    }
    this.input.value = '';
    this.#fitHeight();
    this.onSend(body);
  }

  #fitHeight() {
    // scrollHeight leaves out the borders; box-sizing is border-box, so add them back.
    const borders = this.input.offsetHeight - this.input.clientHeight;
    this.input.style.height = 'auto';
    this.input.style.height = `${this.input.scrollHeight + borders}px`;
  }
}
