// "Delete message?": the confirmation before a message is deleted for everyone (the sender's
// own, or another's by an admin as moderation). The text is quoted so the user sees which one.
import { api } from './api.js';
import { previewOf } from './format.js';
import { ModalDialog } from './modal-dialog.js';
import { showError } from './toast.js';

/** The page's one delete confirmation. */
export class DeleteMessageDialog {
  #request = null;
  #deleted = false;

  constructor() {
    this.dialog = document.getElementById('delete-message-dialog');
    this.explanation = document.getElementById('delete-message-text');
    this.preview = document.getElementById('delete-message-preview');
    this.modal = new ModalDialog(this.dialog, {
      onSubmit: () => this.#delete(),
      onClose: () => {
        const request = this.#request;
        this.#request = null;
        // After the dialog gave focus back: the deleted message's own buttons are gone.
        if (this.#deleted) request?.onDeleted(request.message);
        this.#deleted = false;
      },
    });
  }

  /**
   * Asks before deleting `message` of conversation `conversationID`; `onDeleted(message)`
   * runs once it is deleted and the dialog has closed. Focus returns to `opener` on Cancel.
   */
  open({ conversationID, message, own, opener, onDeleted }) {
    this.#request = { conversationID, message, onDeleted };
    this.#deleted = false;
    this.explanation.textContent = own
      ? 'It will be removed for everyone in this chat. This cannot be undone.'
      : `You are removing a message from ${message.sender?.name ?? 'another user'} for everyone in this chat. This cannot be undone.`;
    this.preview.textContent = previewOf(message.body ?? '');
    this.modal.open(opener);
  }

  async #delete() {
    const { conversationID, message } = this.#request;
    try {
      await api.deleteMessage(conversationID, message.id);
    } catch (error) {
      showError(error);
      return false;
    }
    this.#deleted = true;
    return true;
  }
}
