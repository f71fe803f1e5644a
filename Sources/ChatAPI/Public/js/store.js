// What this tab knows: the signed-in user, the unread totals and the conversations seen so
// far (from list pages, single fetches and stream events: messages, read markers, receipts,
// mute), merged so that an older answer never overwrites a newer event.
import { api } from './api.js';
import { previewOf } from './format.js';

const UNREAD_REFRESH_DELAY_MS = 250;

function lastSeq(conversation) {
  return conversation?.last_message?.seq ?? 0;
}

function activityTime(conversation) {
  return Date.parse(conversation.last_activity_at ?? conversation.created_at ?? 0) || 0;
}

/**
 * The conversations and unread totals of one tab. Dispatches `conversations` when a
 * conversation changes, appears or goes, and `unread` when the totals change.
 */
export class ChatStore extends EventTarget {
  me = null;
  unread = { direct: 0, circle: 0, total: 0, mentions: 0 };
  #conversations = new Map();
  #pages = new Map();
  #unreadTimer = null;
  /** Set by the open conversation: true while its newest message is on screen. */
  isBeingRead = () => false;

  conversation(id) {
    return this.#conversations.get(id) ?? null;
  }

  /** The conversations of one kind, newest activity first. */
  list(kind) {
    return [...this.#conversations.values()]
      .filter((conversation) => conversation.kind === kind)
      .sort((a, b) => activityTime(b) - activityTime(a) || String(a.id).localeCompare(String(b.id)));
  }

  /** Paging state of a kind's list: `{loaded, nextCursor, loading}`. */
  page(kind) {
    if (!this.#pages.has(kind)) this.#pages.set(kind, { loaded: false, nextCursor: null, loading: false });
    return this.#pages.get(kind);
  }

  /** Loads the first page of a kind (or the next one with `more`). */
  async loadList(kind, { more = false } = {}) {
    const page = this.page(kind);
    if (page.loading || (more && !page.nextCursor)) return;
    page.loading = true;
    try {
      const answer = await api.conversations(kind, more ? page.nextCursor : undefined);
      for (const conversation of answer.items ?? []) this.#merge(conversation);
      page.nextCursor = answer.next_cursor ?? null;
      page.loaded = true;
    } finally {
      page.loading = false;
      this.#changed();
    }
  }

  /** Adds or updates a conversation; fields the source lacks (per-user ones in events) are kept. */
  upsert(conversation) {
    this.#merge(conversation);
    this.#changed();
  }

  /** Fetches one conversation as the caller sees it and stores it. */
  async refresh(id) {
    const conversation = await api.conversation(id);
    this.upsert(conversation);
    return this.conversation(id);
  }

  #merge(incoming) {
    const existing = this.#conversations.get(incoming.id);
    if (!existing) {
      this.#conversations.set(incoming.id, { unread_count: 0, last_read_seq: 0, unread_mentions: 0, muted: false, ...incoming });
      return;
    }
    const merged = { ...existing, ...incoming };
    if (lastSeq(existing) > lastSeq(incoming)) {
      // An answer older than an event already applied: keep the newer activity.
      merged.last_message = existing.last_message;
      merged.last_activity_at = existing.last_activity_at;
      merged.unread_count = existing.unread_count;
      merged.unread_mentions = existing.unread_mentions;
      merged.last_read_seq = existing.last_read_seq;
    }
    this.#conversations.set(incoming.id, merged);
  }

  /**
   * Applies a new message to its conversation's row: preview, time, unread count. Returns
   * false when the conversation is not known yet (the caller fetches it).
   */
  applyMessage(conversationID, message) {
    const conversation = this.#conversations.get(conversationID);
    if (!conversation) return false;
    // A system message is never the preview and never unread.
    if (message.kind === 'system' || message.seq <= lastSeq(conversation)) return true;
    conversation.last_message = {
      id: message.id,
      seq: message.seq,
      sender: message.sender,
      body_preview: previewOf(message.body),
      created_at: message.created_at,
    };
    conversation.last_activity_at = message.created_at;
    if (message.sender?.id === this.me?.id) {
      conversation.unread_count = 0;
      conversation.last_read_seq = Math.max(conversation.last_read_seq ?? 0, message.seq);
    } else if (!this.isBeingRead(conversationID) && message.seq > (conversation.last_read_seq ?? 0)) {
      conversation.unread_count = (conversation.unread_count ?? 0) + 1;
      if (message.mentions?.some((user) => user.id === this.me?.id)) {
        conversation.unread_mentions = (conversation.unread_mentions ?? 0) + 1;
      }
    }
    this.#changed();
    return true;
  }

  /** An edit (`message.updated`): the row's preview follows when it shows that message. */
  applyEdit(conversationID, message) {
    const conversation = this.#conversations.get(conversationID);
    if (!conversation || conversation.last_message?.id !== message.id) return;
    conversation.last_message = { ...conversation.last_message, body_preview: previewOf(message.body), deleted: false };
    this.#changed();
  }

  /**
   * A deletion (`message.deleted`): the row's preview says so, and a message past the read
   * marker may have been unread, so the count (exact only on the server) is fetched again.
   */
  applyDeletion(conversationID, { message_id: messageID, seq }) {
    const conversation = this.#conversations.get(conversationID);
    if (!conversation) return;
    if (conversation.last_message?.id === messageID) {
      conversation.last_message = { ...conversation.last_message, body_preview: '', deleted: true };
      this.#changed();
    }
    if (seq > (conversation.last_read_seq ?? 0) && (conversation.unread_count ?? 0) > 0) {
      this.refresh(conversationID).catch(() => {});
      this.refreshUnreadSoon();
    }
  }

  /**
   * Applies a read marker: from our own POST .../read (it only moves forward, so an answer
   * older than what is known is dropped), or with `back` from POST .../unread and from the
   * stream's `read.updated` (in order, so the newest word even when it moved back).
   */
  applyRead({ conversation_id: id, last_read_seq: seq, unread_count: unread, unread_mentions: mentions },
    { back = false } = {}) {
    const conversation = this.#conversations.get(id);
    if (!conversation || (!back && seq < (conversation.last_read_seq ?? 0))) return;
    conversation.last_read_seq = seq;
    conversation.unread_count = unread;
    if (mentions !== undefined) conversation.unread_mentions = mentions;
    this.#changed();
    this.refreshUnreadSoon();
  }

  /** `receipt.updated`: the other participant of a direct chat moved their marker ("Seen"). */
  applyReceipt({ conversation_id: id, user_id: userID, last_read_seq: seq }) {
    const conversation = this.#conversations.get(id);
    if (!conversation || conversation.kind !== 'direct' || userID === this.me?.id) return;
    conversation.peer_last_read_seq = seq;
    this.#changed();
  }

  /** `mute.updated` (another tab) or our own PUT .../mute: the row and the nav badges follow. */
  applyMute({ conversation_id: id, muted }) {
    const conversation = this.#conversations.get(id);
    if (conversation && conversation.muted !== muted) {
      conversation.muted = muted;
      this.#changed();
    }
    this.refreshUnreadSoon();
  }

  remove(id) {
    if (this.#conversations.delete(id)) this.#changed();
  }

  /** Forgets every conversation and page (after a `reset`). */
  clear() {
    this.#conversations.clear();
    this.#pages.clear();
    this.#changed();
  }

  async refreshUnread() {
    this.unread = await api.unread();
    this.dispatchEvent(new Event('unread'));
  }

  /** Refetches the totals shortly, once for a burst of events. */
  refreshUnreadSoon() {
    clearTimeout(this.#unreadTimer);
    this.#unreadTimer = setTimeout(() => this.refreshUnread().catch(() => {}), UNREAD_REFRESH_DELAY_MS);
  }

  #changed() {
    this.dispatchEvent(new Event('conversations'));
  }
}
