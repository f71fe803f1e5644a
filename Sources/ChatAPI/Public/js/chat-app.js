// Ties the page together: routes, the list, the search, the open conversation, the dialogs
// and the one live stream whose events keep all of them current.
import { api, onUnauthorized } from './api.js';
import { setUpCircleChatDialog } from './circle-chat-dialog.js';
import { ConversationList } from './conversation-list.js';
import { ConversationView } from './conversation-view.js';
import { LiveConnection } from './live.js';
import { Navigation } from './navigation.js';
import { setUpNewChatDialog } from './new-chat-dialog.js';
import { conversationHash, currentRoute, listHash, navigate } from './router.js';
import { SearchPanel } from './search-panel.js';
import { session } from './session.js';
import { ChatStore } from './store.js';
import { announce, showError, showToast } from './toast.js';

/** The signed-in page. */
export class ChatApp {
  constructor() {
    this.store = new ChatStore();
    this.navigation = new Navigation(this.store);
    this.list = new ConversationList(this.store);
    this.view = new ConversationView(document.getElementById('conversation-pane'), this.store);
    this.layout = document.getElementById('main');
  }

  async start() {
    onUnauthorized(() => this.signOut('Your session has ended. Open a new sign-in link to continue.'));
    try {
      this.store.me = await api.me();
    } catch (error) {
      if (error.status !== 401) this.signOut(`The chat service could not be reached: ${error.message}`);
      return;
    }
    this.#showMe();
    setUpNewChatDialog(this.store);
    setUpCircleChatDialog(this.store);
    this.search = new SearchPanel({
      onOpen: (id, seq) => {
        navigate(conversationHash(id));
        this.view.open(id, { aroundSeq: seq });
      },
      onError: showError,
    });
    this.live = new LiveConnection({
      gatewayURL: session.gatewayURL,
      token: session.token,
      onEvent: (type, data) => this.#onEvent(type, data),
      onStatus: (connected) => { document.getElementById('connection-banner').hidden = connected; },
      onGaveUp: () => api.me().catch(() => {}),
      onResync: () => this.#reloadEverything(),
    });
    this.live.start();
    this.layout.hidden = false;
    window.addEventListener('hashchange', () => this.#route());
    this.#route();
    this.store.refreshUnread().catch(showError);
  }

  /** Shows the signed-out notice (unknown, expired or revoked token). */
  signOut(reason) {
    session.forgetToken();
    this.live?.stop();
    this.layout.hidden = true;
    document.getElementById('signed-out-reason').textContent = reason;
    document.getElementById('signed-out').hidden = false;
  }

  #showMe() {
    const me = document.getElementById('me');
    me.textContent = `${this.store.me.name} · ${this.store.me.role === 'admin' ? 'Admin' : 'Member'}`;
    me.hidden = false;
  }

  #route() {
    const route = currentRoute();
    if (route.name === 'conversation') {
      const kind = this.store.conversation(route.id)?.kind ?? this.list.kind;
      this.layout.dataset.view = 'conversation';
      this.list.show(kind, route.id);
      this.navigation.select(kind);
      this.view.open(route.id).then(() => this.#followOpenKind(route.id));
    } else {
      this.layout.dataset.view = 'list';
      this.view.close();
      this.list.show(route.kind);
      this.navigation.select(route.kind);
    }
  }

  /** After a direct link, the list shows the kind of the conversation that opened. */
  #followOpenKind(id) {
    const kind = this.store.conversation(id)?.kind;
    if (kind && this.view.conversationID === id && kind !== this.list.kind) {
      this.list.show(kind, id);
      this.navigation.select(kind);
    }
  }

  #onEvent(type, data) {
    switch (type) {
      case 'message.created': return this.#messageCreated(data);
      case 'message.updated': return this.#messageEdited(data);
      case 'message.deleted': return this.#messageDeleted(data);
      case 'reaction.added':
      case 'reaction.removed': return this.view.receiveReaction(data.conversation_id, data, type === 'reaction.added');
      case 'conversation.created':
      case 'conversation.updated': return this.#conversationChanged(data.conversation);
      case 'conversation.removed': return this.#conversationRemoved(data.conversation_id);
      case 'read.updated': return this.store.applyRead(data, { back: true });
      case 'receipt.updated': return this.store.applyReceipt(data);
      case 'mute.updated': return this.store.applyMute(data);
      case 'typing': return this.view.receiveTyping(data.conversation_id, data.user);
      case 'reset': return this.#reloadEverything();
      default: return undefined;
    }
  }

  #messageCreated({ conversation_id: id, message }) {
    if (!id || !message) return;
    const known = this.store.applyMessage(id, message);
    if (!known) this.store.refresh(id).catch(() => {});
    this.view.receiveLive(id, message);
    if (message.kind === 'system') {
      if (id === this.view.conversationID) announce(message.body);
    } else if (message.sender?.id !== this.store.me?.id) {
      this.store.refreshUnreadSoon();
      const sender = message.sender?.name ?? 'Someone';
      announce(id === this.view.conversationID ? `${sender}: ${message.body}` : `New message from ${sender}.`);
    }
  }

  #messageEdited({ conversation_id: id, message }) {
    if (!id || !message) return;
    this.store.applyEdit(id, message);
    this.view.receiveEdit(id, message);
  }

  #messageDeleted(data) {
    if (!data.conversation_id || data.message_id === undefined) return;
    this.store.applyDeletion(data.conversation_id, data);
    this.view.receiveDeletion(data.conversation_id, data);
  }

  #conversationChanged(conversation) {
    if (!conversation?.id) return;
    this.store.upsert(conversation);
    // Events carry no per-user fields (unread_count, can_send): fetch them.
    this.store.refresh(conversation.id).catch(() => {});
    this.store.refreshUnreadSoon();
  }

  #conversationRemoved(id) {
    const kind = this.store.conversation(id)?.kind;
    this.store.remove(id);
    this.store.refreshUnreadSoon();
    if (this.view.conversationID === id) {
      showToast('You no longer have access to this conversation.', 'info');
      navigate(listHash(kind));
    }
  }

  /** `reset` (or a stream that cannot resume): everything is fetched again. */
  async #reloadEverything() {
    this.store.clear();
    try {
      this.store.me = await api.me();
      this.#showMe();
      await this.store.refreshUnread();
    } catch (error) {
      showError(error);
    }
    this.list.show(this.list.kind, this.view.conversationID);
    this.view.reload();
  }
}
