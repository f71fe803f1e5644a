// What the user does to messages of the open conversation: reply (through the composer),
// react (picker and chips, shown at once and corrected by the stream's counts), edit in place,
// delete after a confirmation, and mark unread from a message on (then back to the list). The
// stream brings the same changes to every other page.
import { api } from './api.js';
import { DeleteMessageDialog } from './delete-message-dialog.js';
import { MessageEditor } from './message-editor.js';
import { ReactionPicker, pickerEmoji } from './reaction-picker.js';
import { showError, showToast } from './toast.js';

/** The item actions of one conversation pane. */
export class MessageActions {
  /** The in-place editor open on one message, or null. */
  editor = null;
  #deleteDialog = new DeleteMessageDialog();

  /**
   * `view` gives `conversationID`, `list` (its MessageList), `composer`, `render()`,
   * `showOriginal(quote)`, `readingPaused` and `backToList()`; `store` knows who is signed in
   * and takes the read marker.
   */
  constructor(view, store, pane) {
    this.view = view;
    this.store = store;
    this.picker = new ReactionPicker(pane);
    this.handlers = {
      onReply: (message) => this.view.composer?.startReply(message),
      onReact: (message, anchor) => this.#openPicker(message, anchor),
      onToggleReaction: (message, emoji) => this.toggleReaction(message.id, emoji),
      onEdit: (message) => this.#startEditing(message),
      onDelete: (message, opener) => this.#confirmDeletion(message, opener),
      onShowOriginal: (quote) => this.view.showOriginal(quote),
      onMarkUnread: (message) => this.#markUnread(message),
    };
  }

  /** Closes the picker and the editor (another conversation opens). */
  reset() {
    this.picker.close();
    this.editor = null;
  }

  /**
   * A message was deleted (here or elsewhere): an edit of it or a reply to it cannot go on.
   * `elsewhere` says the user did not do it in this pane, so they are told.
   */
  messageDeleted(id, { elsewhere }) {
    if (this.editor?.messageID === id) {
      this.editor = null;
      if (elsewhere) showToast('The message you were editing was deleted.', 'info');
    }
    const composer = this.view.composer;
    if (composer?.replyTo?.id === id) {
      composer.cancelReply();
      if (elsewhere) showToast('The message you were replying to was deleted.', 'info');
    }
  }

  /** Adds the user's reaction, or takes it back when they have it; shown at once. */
  async toggleReaction(messageID, emoji) {
    const conversationID = this.view.conversationID;
    const message = this.view.list.get(messageID);
    const me = this.store.me?.id;
    if (!message || message.deleted) return;
    const reaction = message.reactions?.find((item) => item.emoji === emoji);
    const adding = !reaction?.me;
    const count = (reaction?.count ?? 0) + (adding ? 1 : -1);
    this.view.list.react({ message_id: messageID, emoji, user_id: me, count }, adding, me);
    this.view.render();
    try {
      if (adding) await api.addReaction(conversationID, messageID, emoji);
      else await api.removeReaction(conversationID, messageID, emoji);
    } catch (error) {
      showError(error);
      await this.#refetch(conversationID, messageID);
    }
  }

  #openPicker(message, anchor) {
    const mine = new Set((message.reactions ?? []).filter((reaction) => reaction.me).map((reaction) => reaction.emoji));
    this.picker.open(anchor, pickerEmoji(this.view.list.usedEmoji()), mine,
      (emoji) => this.toggleReaction(message.id, emoji));
  }

  #startEditing(message) {
    this.picker.close();
    this.editor = new MessageEditor(message, {
      onSave: (body) => this.#saveEdit(message.id, body),
      onCancel: () => this.#stopEditing(),
    });
    this.view.render();
    this.editor.focus();
  }

  #stopEditing() {
    this.editor = null;
    this.view.render(); // focus stays on the message's item
  }

  async #saveEdit(messageID, body) {
    const conversationID = this.view.conversationID;
    try {
      const stored = await api.editMessage(conversationID, messageID, body);
      if (conversationID !== this.view.conversationID) return;
      this.view.list.update(stored);
      if (this.editor?.messageID === messageID) this.#stopEditing();
    } catch (error) {
      showError(error);
      // Deleted meanwhile (409) or out of reach: there is nothing left to edit.
      if (error.status === 409 || error.status === 404 || error.status === 403) {
        if (this.editor?.messageID === messageID) this.#stopEditing();
        await this.#refetch(conversationID, messageID);
      }
    }
  }

  #confirmDeletion(message, opener) {
    this.picker.close();
    const conversationID = this.view.conversationID;
    this.#deleteDialog.open({
      conversationID,
      message,
      own: message.sender?.id === this.store.me?.id,
      opener,
      onDeleted: () => {
        if (conversationID !== this.view.conversationID) return;
        this.view.list.delete(message.id);
        this.messageDeleted(message.id, { elsewhere: false });
        this.view.render();
        this.view.focusMessage(message.id);
      },
    });
  }

  /** The marker goes back to just before `message`; the open page must not move it forward again. */
  async #markUnread(message) {
    const conversationID = this.view.conversationID;
    this.view.readingPaused = true;
    try {
      this.store.applyRead(await api.markUnread(conversationID, message.seq), { back: true });
      if (conversationID === this.view.conversationID) this.view.backToList();
    } catch (error) {
      if (conversationID === this.view.conversationID) this.view.readingPaused = false;
      showError(error);
    }
  }

  /** After a refused change: the message as the server has it now. */
  async #refetch(conversationID, messageID) {
    try {
      const message = await api.message(conversationID, messageID);
      if (conversationID !== this.view.conversationID) return;
      if (message.deleted) {
        this.view.list.delete(messageID);
        this.messageDeleted(messageID, { elsewhere: true });
      } else {
        this.view.list.update(message);
      }
      this.view.render();
    } catch {
      // Gone or unreachable: the stream or the next load corrects the page.
    }
  }
}
