// Messages typed in this tab that the server has not confirmed yet, per conversation.
// Sending is optimistic (the bubble shows at once) and idempotent: each message carries a
// client_id, so a retry after a failure or a lost answer is stored once, and the live echo
// of our own message replaces the local bubble instead of adding a second one.
import { api } from './api.js';
import { newClientID } from './client-id.js';
import { quoteOf } from './message-list.js';
import { showError } from './toast.js';

/** The unconfirmed messages of every conversation (kept when the user opens another chat). */
export class Outbox {
  #pending = new Map();

  /**
   * `onChange(conversationID)` redraws after a status change; `onConfirmed(conversationID,
   * message)` gets the stored message from the POST answer.
   */
  constructor(store, { onChange, onConfirmed }) {
    this.store = store;
    this.onChange = onChange;
    this.onConfirmed = onConfirmed;
  }

  /** The local messages of a conversation still sending or failed, oldest first. */
  pending(conversationID) {
    return this.#pending.get(conversationID) ?? [];
  }

  /**
   * Shows `body` (a reply to `replyTo` when given, mentioning the users `mentions`,
   * `[{id, name}]`, with the uploaded `attachments`) as sending at once and posts it.
   */
  send(conversationID, body, { replyTo = null, mentions = [], attachments = [] } = {}) {
    const me = this.store.me;
    const message = {
      client_id: newClientID(),
      kind: 'user',
      body,
      reply_to: replyTo ? quoteOf(replyTo) : null,
      reactions: [],
      mentions,
      attachments,
      sender: { id: me.id, name: me.name, avatar_url: me.avatar_url },
      created_at: new Date().toISOString(),
      status: 'sending',
    };
    if (!this.#pending.has(conversationID)) this.#pending.set(conversationID, []);
    this.#pending.get(conversationID).push(message);
    this.deliver(conversationID, message);
  }

  /** Posts a local message (again, for Retry) with its client_id (and what it replies to and mentions). */
  async deliver(conversationID, message) {
    message.status = 'sending';
    this.onChange(conversationID);
    try {
      const stored = await api.sendMessage(conversationID, message.body, message.client_id, {
        replyTo: message.reply_to?.id,
        mentions: message.mentions.map((user) => user.id),
        attachments: message.attachments.map((attachment) => attachment.id),
      });
      this.settle(conversationID, stored.client_id);
      this.store.applyMessage(conversationID, stored);
      this.onConfirmed(conversationID, stored);
    } catch (error) {
      message.status = 'failed';
      this.onChange(conversationID);
      showError(error);
      if (error.code === 'send_forbidden') this.store.refresh(conversationID).catch(() => {});
    }
  }

  /** Forgets the local copy of a message the server has (from its POST answer or live echo). */
  settle(conversationID, clientID) {
    const pending = this.#pending.get(conversationID);
    const index = pending?.findIndex((message) => message.client_id === clientID) ?? -1;
    if (index >= 0) pending.splice(index, 1);
  }
}
