// Shared behaviour of the page's <dialog>s: open modally, Cancel/Escape close, focus goes
// back to the button that opened it, and a busy state while the API call runs.

/** A `<dialog>` with a form whose submit runs `onSubmit` (which returns true to close). */
export class ModalDialog {
  #opener = null;

  constructor(dialog, { onSubmit, onOpen, onClose, shouldKeepOpenOnEscape = () => false }) {
    this.dialog = dialog;
    this.form = dialog.querySelector('form');
    this.submitButton = this.form.querySelector('[type=submit]');
    this.onOpen = onOpen;
    this.onClose = onClose;
    dialog.querySelector('[data-dialog-cancel]').addEventListener('click', () => dialog.close());
    dialog.addEventListener('cancel', (event) => {
      if (shouldKeepOpenOnEscape()) event.preventDefault();
    });
    dialog.addEventListener('close', () => {
      this.onClose?.();
      this.#opener?.focus();
      this.#opener = null;
    });
    this.form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (this.submitButton.disabled || this.dialog.getAttribute('aria-busy') === 'true') return;
      this.#setBusy(true);
      try {
        if (await onSubmit()) {
          this.#opener = null;
          this.dialog.close();
        }
      } finally {
        this.#setBusy(false);
      }
    });
  }

  /** Opens the dialog; focus returns to `opener` when it closes without result. */
  open(opener) {
    this.#opener = opener;
    this.dialog.showModal();
    this.onOpen?.();
  }

  #setBusy(busy) {
    this.dialog.setAttribute('aria-busy', String(busy));
    this.form.classList.toggle('dialog__form--busy', busy);
  }
}
