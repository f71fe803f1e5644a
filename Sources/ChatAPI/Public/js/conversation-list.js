// The list pane: the heading, the admin-only button of the kind shown, and its rows.
import { conversationRow } from './conversation-row.js';
import { ElementCache, reconcileChildren } from './element-cache.js';
import { formatListTime, parseTime } from './format.js';
import { showError } from './toast.js';

const HEADINGS = { direct: '1:1 Chats', circle: 'Circle Chats' };
const TIME_REFRESH_MS = 60000;

/** Everything a row shows, so an unchanged row is kept as it is. */
function rowSignature(conversation, activeID, now) {
  const { title, custom_title, peer, circle, member_count, send_policy, last_message, unread_count, unread_mentions, muted } = conversation;
  const time = parseTime(last_message?.created_at ?? conversation.last_activity_at);
  return JSON.stringify([title, custom_title, peer, circle, member_count, send_policy, last_message, unread_count,
    unread_mentions, muted,
    conversation.id === activeID, time ? formatListTime(time, now) : '']);
}

/** Renders the conversations of one kind from the store, live as the store changes. */
export class ConversationList {
  kind = 'direct';
  activeID = null;
  #rows = new ElementCache();

  constructor(store) {
    this.store = store;
    this.list = document.getElementById('conversation-list');
    this.heading = document.getElementById('list-heading');
    this.empty = document.getElementById('list-empty');
    this.more = document.getElementById('list-more');
    this.newChatButton = document.getElementById('new-chat-button');
    this.newCircleChatButton = document.getElementById('new-circle-chat-button');
    this.more.addEventListener('click', () => this.#load({ more: true }));
    store.addEventListener('conversations', () => this.render());
    setInterval(() => this.render(), TIME_REFRESH_MS);
  }

  /** Shows `kind`, loading its first page on first use; `activeID` is highlighted. */
  show(kind, activeID = null) {
    this.kind = kind;
    this.activeID = activeID;
    if (!this.store.page(kind).loaded) this.#load();
    this.render();
  }

  async #load(options) {
    try {
      await this.store.loadList(this.kind, options);
    } catch (error) {
      showError(error);
    }
  }

  render() {
    const { store, kind } = this;
    const isAdmin = store.me?.role === 'admin';
    this.heading.textContent = HEADINGS[kind];
    this.newChatButton.hidden = !(isAdmin && kind === 'direct');
    this.newCircleChatButton.hidden = !(isAdmin && kind === 'circle');

    const focusedID = document.activeElement?.closest?.('.conversation-row')?.dataset.conversationId;
    const now = new Date();
    const conversations = store.list(kind);
    reconcileChildren(this.list, conversations.map((conversation) => this.#rows.element(
      conversation.id,
      rowSignature(conversation, this.activeID, now),
      () => conversationRow(conversation, { me: store.me, activeID: this.activeID, now }))));
    this.#rows.sweep();
    if (focusedID && !this.list.contains(document.activeElement)) this.list.querySelector(`[data-conversation-id="${CSS.escape(focusedID)}"] a`)?.focus();

    const page = store.page(kind);
    this.empty.hidden = !(page.loaded && conversations.length === 0);
    this.more.hidden = !page.nextCursor;
  }
}
