// The open conversation: header (with the mute toggle), day-grouped history (older pages on
// scroll-up; newer ones on scroll-down after a jump to an old message), live messages and their
// edits, deletions and reactions, who is typing, receipts, the composer (sends go through the
// Outbox), the item actions (MessageActions), attachments (the tray, their links) and the read
// marker.
import { api } from './api.js';
import { AttachmentLinks } from './attachment-links.js';
import { AttachmentTray } from './attachment-tray.js';
import { Composer } from './composer.js';
import { fillConversationHeader } from './conversation-header.js';
import { acceptDropped, acceptPasted, acceptPicked } from './file-intake.js';
import { MessageActions } from './message-actions.js';
import { MessageList } from './message-list.js';
import { MessageTimeline } from './message-timeline.js';
import { Outbox } from './outbox.js';
import { Receipts } from './receipts.js';
import { listHash, navigate } from './router.js';
import { announce, showError, showToast } from './toast.js';
import { TypingLine, throttledNotice } from './typing.js';

const PAGE_SIZE = 50;
/** A jump to a message loads this many before it and after it. */
const AROUND_SIZE = 25;
const NEAR_BOTTOM_PX = 48;
const NEAR_TOP_PX = 120;
const HIGHLIGHT_MS = 2000;

function headerSignature(conversation) {
  if (!conversation) return '';
  const { title, custom_title, peer, circle, member_count, send_policy, can_send, muted } = conversation;
  return JSON.stringify({ title, custom_title, peer, circle, member_count, send_policy, can_send, muted });
}

/** Shows one conversation at a time in the right-hand pane. */
export class ConversationView {
  conversationID = null;
  /** The loaded messages (MessageActions changes them too). */
  list = new MessageList();
  /** Set while "Mark unread" is under way: the marker must not move forward again. */
  readingPaused = false;
  #generation = 0;
  #loaded = false;
  /** Stream changes that came before the first page: applied, in order, after it. */
  #liveBuffer = [];
  #hasMore = false;
  /** After a jump to an old message: newer messages than those loaded exist. */
  #hasNewer = false;
  #loadingOlder = false;
  #loadingNewer = false;
  #readSeqSent = 0;
  #headerShown = '';
  #peerSeqShown = 0;

  constructor(pane, store) {
    this.pane = pane;
    this.store = store;
    this.outbox = new Outbox(store, {
      onChange: (id) => {
        if (id === this.conversationID) this.render();
      },
      onConfirmed: (id, message) => {
        if (id !== this.conversationID || !this.#loaded) return;
        if (this.list.get(message.id)) this.list.update(message); // the stream's copy came first, without links
        else this.#addMessages([message]);
        this.#render('auto');
      },
    });
    this.actions = new MessageActions(this, store, pane);
    this.links = new AttachmentLinks((id, message) => this.#whenLoaded(id, () => this.list.update(message)));
    acceptDropped(pane, () => this.#acceptsFiles(), (files) => this.tray.add(files));
    this.receipts = new Receipts(this, pane);
    this.placeholder = pane.querySelector('.conversation-pane__placeholder');
    store.isBeingRead = (id) => id === this.conversationID && this.#isReading();
    store.addEventListener('conversations', () => this.#conversationChanged());
    document.addEventListener('visibilitychange', () => this.#maybeMarkRead());
  }

  /**
   * Opens `id` (when it is already open, only goes to `aroundSeq`); `draft` refills the
   * message field; `aroundSeq` opens it at that message (a search result) instead of the newest.
   */
  async open(id, { draft = '', aroundSeq = null } = {}) {
    if (this.conversationID === id) {
      if (aroundSeq !== null) this.#showSeq(aroundSeq);
      return;
    }
    const generation = this.#startOver(id);
    this.#build();
    this.composer.input.value = draft;
    const cached = this.store.conversation(id);
    if (cached) this.#showConversation(cached);
    this.#setStatus('Loading messages…');
    try {
      const [conversation, page] = await Promise.all([this.store.refresh(id), firstPage(id, aroundSeq)]);
      if (generation !== this.#generation) return;
      this.#showConversation(conversation);
      this.#addMessages(page.items);
      this.#hasMore = page.hasOlder;
      this.#hasNewer = page.hasNewer;
      this.#loaded = true;
      // Live changes of messages not loaded (past a jump's page) are left for the next page.
      for (const apply of this.#liveBuffer.splice(0)) apply();
      if (aroundSeq === null) {
        this.#render('bottom');
        this.#focusStart();
      } else {
        this.#render('none');
        this.#showSeq(aroundSeq);
        if (this.#hasNewer) {
          this.jumpButton.textContent = 'Latest messages ↓';
          this.jumpButton.hidden = false;
        }
      }
      await this.#fillViewport(generation);
      this.#maybeMarkRead();
    } catch (error) {
      if (generation !== this.#generation) return;
      if (error.status === 404 || error.status === 403) {
        showToast('This conversation is not available.');
        navigate(listHash(cached?.kind));
      } else {
        showError(error);
        this.#setStatus('Could not load the messages.');
      }
    }
  }

  /** Empties the pane (back to the list). */
  close() {
    this.#startOver(null);
    this.pane.replaceChildren(this.placeholder);
  }

  /** Reloads the open conversation from scratch (after a stream `reset`), keeping the draft. */
  reload() {
    const id = this.conversationID;
    if (!id) return;
    const draft = this.composer?.input.value ?? '';
    this.conversationID = null;
    this.open(id, { draft });
  }

  /** A `message.created` event: appended once, whatever its origin (echo of our send, other tab, other user). */
  receiveLive(conversationID, message) {
    if (conversationID !== this.conversationID) return;
    const mine = message.sender?.id === this.store.me?.id;
    if (message.sender) this.typingLine.stopped(message.sender.id);
    if (!mine && this.isCircle && message.kind !== 'system') this.receipts.othersWrote(this.list.items, this.store.me);
    if (!this.#loaded) {
      this.#liveBuffer.push(() => {
        if (!this.#hasNewer) this.#addMessages([message]);
      });
      return;
    }
    if (this.#hasNewer) return; // the newest page is not loaded (a jump to an old message): it comes on scroll-down
    const newest = this.list.newest?.seq ?? 0;
    if (message.seq > newest + 1 && newest > 0) {
      this.#fillGap(newest);
      return;
    }
    const wasAtBottom = this.#isAtBottom();
    this.#addMessages([message]);
    this.#render(message.sender?.id === this.store.me?.id ? 'bottom' : 'auto');
    if (!wasAtBottom && message.sender?.id !== this.store.me?.id) this.jumpButton.hidden = false;
    this.#maybeMarkRead();
  }

  /** A `message.updated` event: the new text (and the quotes of it in replies). */
  receiveEdit(conversationID, message) {
    this.#whenLoaded(conversationID, () => this.list.update(message));
  }

  /** A `message.deleted` event: a "Message deleted" line stays in its place. */
  receiveDeletion(conversationID, { message_id: id }) {
    this.#whenLoaded(conversationID, () => {
      this.list.delete(id);
      this.actions.messageDeleted(id, { elsewhere: true });
    });
  }

  /** A `typing` event (ephemeral): "Ada is typing..." for a while. */
  receiveTyping(conversationID, user) {
    if (conversationID !== this.conversationID || !user?.id || user.id === this.store.me?.id || !this.typingLine) return;
    this.typingLine.typing(user);
  }

  /** A `reaction.added` or `reaction.removed` event, with the emoji's new count. */
  receiveReaction(conversationID, event, added) {
    this.#whenLoaded(conversationID, () => this.list.react(event, added, this.store.me?.id));
  }

  /** Redraws the messages, following new ones when the reader is at the bottom. */
  render() {
    if (this.#loaded) this.#render('auto');
  }

  /** Puts focus on a message's item (without scrolling). */
  focusMessage(id) {
    this.messageTimeline?.item(id)?.focus({ preventScroll: true });
  }

  /** Goes back to the list (after "Mark unread"). */
  backToList() {
    navigate(listHash(this.store.conversation(this.conversationID)?.kind ?? this.conversation?.kind));
  }

  /** A quote was clicked: brings its original into view (loading older pages as needed) and highlights it. */
  async showOriginal(quote) {
    const generation = this.#generation;
    let item = this.messageTimeline.item(quote.id);
    while (!item && this.#hasMore && (this.list.oldest?.seq ?? 0) > quote.seq) {
      const oldest = this.list.oldest?.seq;
      await this.#loadOlder(generation);
      if (generation !== this.#generation || this.list.oldest?.seq === oldest) return;
      item = this.messageTimeline.item(quote.id);
    }
    if (!item) {
      showToast('The original message is not available.', 'info');
      return;
    }
    spotlight(item);
  }

  /** Brings the message `seq` into view: at once when loaded, else by loading the page around it. */
  #showSeq(seq) {
    const item = this.timeline.querySelector(`.message[data-seq="${Number(seq)}"]`);
    if (item) {
      spotlight(item);
      return;
    }
    const id = this.conversationID;
    const draft = this.composer?.input.value ?? '';
    this.conversationID = null;
    this.open(id, { draft, aroundSeq: seq });
  }

  /** Applies a stream change to the open conversation now, or after its first page when that is still loading. */
  #whenLoaded(conversationID, apply) {
    if (conversationID !== this.conversationID) return;
    if (!this.#loaded) {
      this.#liveBuffer.push(apply);
      return;
    }
    apply();
    this.#render('auto');
  }

  #startOver(id) {
    this.conversationID = id;
    this.#loaded = false;
    this.list = new MessageList();
    this.actions.reset();
    this.links.reset();
    this.tray?.discard();
    this.receipts.reset();
    this.typingLine?.clear();
    this.readingPaused = false;
    this.#liveBuffer = [];
    this.#hasMore = false;
    this.#hasNewer = false;
    this.#loadingOlder = false;
    this.#loadingNewer = false;
    this.#readSeqSent = 0;
    this.#headerShown = '';
    this.#peerSeqShown = 0;
    return ++this.#generation;
  }

  #build() {
    const content = document.getElementById('conversation-template').content.cloneNode(true);
    this.header = content.querySelector('.conversation-header');
    this.timeline = content.querySelector('.timeline');
    this.messageTimeline = new MessageTimeline(content.querySelector('.timeline__days'));
    this.status = content.querySelector('.timeline__status');
    this.jumpButton = content.querySelector('.jump-to-latest');
    this.notice = content.querySelector('.send-notice');
    this.composerForm = content.querySelector('.composer');
    this.typingLine = new TypingLine(content.querySelector('.typing-line'));
    const id = this.conversationID;
    const noticeTyping = throttledNotice(() => api.typing(id).catch(() => {}));
    this.composer = new Composer(this.composerForm, {
      onSend: (body, replyTo, mentions) => {
        const attachments = this.tray.attachments;
        this.tray.clear();
        this.outbox.send(id, body.trim() === '' ? '' : body, { replyTo, mentions, attachments });
        if (this.#hasNewer) this.reload(); // show the newest page, where the message goes
        else this.#scrollToBottom();
      },
      onTyping: () => {
        if (this.conversation?.can_send !== false) noticeTyping();
      },
      loadMembers: async () => (await api.members(id)).items ?? [],
      me: this.store.me,
    });
    this.tray = new AttachmentTray(content.querySelector('.attachment-tray'));
    this.composer.canSubmit = (body) => this.tray.canSend(body.trim() === '');
    acceptPicked(content.querySelector('.composer__attach'), content.querySelector('.composer__files'), (files) => this.tray.add(files));
    acceptPasted(this.composer.input, () => this.#acceptsFiles(), (files) => this.tray.add(files));
    this.header.querySelector('.conversation-header__mute').addEventListener('click', () => this.#toggleMute());
    this.timeline.addEventListener('scroll', () => this.#onScroll(), { passive: true });
    this.jumpButton.addEventListener('click', () => {
      if (this.#hasNewer) {
        this.reload();
        return;
      }
      this.#scrollToBottom();
      this.#maybeMarkRead();
    });
    this.pane.replaceChildren(content);
  }

  #showConversation(conversation) {
    this.conversation = conversation;
    this.isCircle = conversation.kind === 'circle';
    this.#headerShown = headerSignature(conversation);
    this.#peerSeqShown = conversation.peer_last_read_seq ?? 0;
    fillConversationHeader(this.header, conversation);
    const canSend = conversation.can_send !== false;
    if (!canSend) this.composer.cancelReply();
    this.composerForm.hidden = !canSend;
    this.notice.hidden = canSend;
    this.notice.textContent = conversation.send_policy === 'admins_only'
      ? 'Only admins can send messages in this chat.'
      : 'You cannot send messages in this chat.';
  }

  /**
   * Redraws the header and composer when what they show changed (title, policy, members,
   * mute...), and the messages when the other participant read further ("Seen").
   */
  #conversationChanged() {
    if (!this.conversationID || !this.header) return;
    const conversation = this.store.conversation(this.conversationID);
    if (!conversation) return;
    if (headerSignature(conversation) !== this.#headerShown) {
      this.#showConversation(conversation);
    } else if ((conversation.peer_last_read_seq ?? 0) !== this.#peerSeqShown) {
      this.conversation = conversation;
      this.#peerSeqShown = conversation.peer_last_read_seq ?? 0;
    } else {
      return;
    }
    this.render(); // Reply is offered only where the user may send
  }

  async #toggleMute() {
    const id = this.conversationID;
    const muted = !this.store.conversation(id)?.muted;
    try {
      this.store.upsert(await api.setMuted(id, muted));
      this.store.applyMute({ conversation_id: id, muted });
      announce(muted ? 'Muted.' : 'Unmuted.');
    } catch (error) {
      showError(error);
    }
  }

  /** Files are taken while a conversation is open where the user may send. */
  #acceptsFiles() {
    return Boolean(this.conversationID && this.tray && !this.composerForm.hidden);
  }

  #focusStart() {
    if (!this.composerForm.hidden) this.composer.focus();
    else this.timeline.focus({ preventScroll: true });
  }

  #addMessages(messages) {
    const me = this.store.me?.id;
    for (const message of messages) {
      if (message.client_id && message.sender?.id === me) this.outbox.settle(this.conversationID, message.client_id);
      this.links.ensure(this.conversationID, message); // a stream message's attachments come without links
    }
    this.list.add(messages);
  }

  /** Renders and keeps the reader's place: 'bottom' scrolls down, 'prepend' keeps the view still, 'auto' follows when at the bottom. */
  #render(mode) {
    const wasAtBottom = this.#isAtBottom();
    const fromBottom = this.timeline.scrollHeight - this.timeline.scrollTop;
    const id = this.conversationID;
    this.messageTimeline.render([...this.list.items, ...this.outbox.pending(id)], {
      me: this.store.me,
      isCircle: this.isCircle,
      canSend: this.conversation?.can_send !== false,
      editor: this.actions.editor,
      receiptOf: this.receipts.receiptsFor(this.store.conversation(id) ?? this.conversation, this.list.items, this.store.me),
      handlers: {
        ...this.actions.handlers,
        onRetry: (message) => this.outbox.deliver(id, message),
        onShowReaders: (message, anchor) => this.receipts.showReaders(message, anchor),
        onAttachmentLinkFailed: (message) => this.links.ensure(id, message),
      },
    });
    this.#updateStatus();
    if (mode === 'bottom' || (mode === 'auto' && wasAtBottom)) this.#scrollToBottom();
    else if (mode === 'prepend') this.timeline.scrollTop = this.timeline.scrollHeight - fromBottom;
  }

  #scrollToBottom() {
    this.timeline.scrollTop = this.timeline.scrollHeight;
    this.jumpButton.hidden = true;
  }

  #isAtBottom() {
    const { scrollHeight, scrollTop, clientHeight } = this.timeline;
    return scrollHeight - scrollTop - clientHeight < NEAR_BOTTOM_PX;
  }

  #onScroll() {
    if (this.#isAtBottom() && !this.#hasNewer) this.jumpButton.hidden = true;
    if (this.timeline.scrollTop < NEAR_TOP_PX) this.#loadOlder(this.#generation);
    if (this.#isAtBottom()) this.#loadNewer(this.#generation);
    this.#maybeMarkRead();
  }

  #setStatus(text) {
    this.status.textContent = text;
  }

  #updateStatus() {
    if (this.#loadingOlder) return;
    if (this.#hasMore) this.#setStatus('');
    else if (this.list.items.length + this.outbox.pending(this.conversationID).length === 0) this.#setStatus('No messages yet. Say hello!');
    else this.#setStatus('This is the beginning of the conversation.');
  }

  async #loadOlder(generation) {
    if (!this.#loaded || !this.#hasMore || this.#loadingOlder) return;
    const oldest = this.list.oldest?.seq;
    if (!oldest) return;
    this.#loadingOlder = true;
    this.#setStatus('Loading earlier messages…');
    try {
      const page = await api.messages(this.conversationID, { before: oldest, limit: PAGE_SIZE });
      if (generation !== this.#generation) return;
      this.#addMessages(page.items ?? []);
      this.#hasMore = Boolean(page.has_more);
      this.#render('prepend');
    } catch (error) {
      if (generation === this.#generation) showError(error);
    } finally {
      if (generation === this.#generation) {
        this.#loadingOlder = false;
        this.#updateStatus();
      }
    }
  }

  /** After a jump to an old message: the next newer page, once the reader reaches the bottom. */
  async #loadNewer(generation) {
    if (!this.#loaded || !this.#hasNewer || this.#loadingNewer) return;
    const newest = this.list.newest?.seq;
    if (!newest) return;
    this.#loadingNewer = true;
    try {
      const page = await api.messages(this.conversationID, { after: newest, limit: PAGE_SIZE });
      if (generation !== this.#generation) return;
      this.#addMessages(page.items ?? []);
      this.#hasNewer = Boolean(page.has_more);
      if (!this.#hasNewer) {
        this.jumpButton.hidden = true;
        this.jumpButton.textContent = 'New messages ↓';
      }
      this.#render('none');
      this.#maybeMarkRead();
    } catch (error) {
      if (generation === this.#generation) showError(error);
    } finally {
      if (generation === this.#generation) this.#loadingNewer = false;
    }
  }

  /** Loads older pages until the history fills the pane (or there is no more). */
  async #fillViewport(generation) {
    while (generation === this.#generation && this.#hasMore
      && this.timeline.scrollHeight <= this.timeline.clientHeight + NEAR_TOP_PX) {
      const before = this.list.items.length;
      await this.#loadOlder(generation);
      if (this.list.items.length === before) return;
    }
  }

  /** A live message skipped some seqs (events are in order, so rarely): fetch what is missing. */
  async #fillGap(after) {
    const generation = this.#generation;
    try {
      let cursor = after;
      for (;;) {
        const page = await api.messages(this.conversationID, { after: cursor, limit: 100 });
        if (generation !== this.#generation) return;
        this.#addMessages(page.items ?? []);
        cursor = this.list.newest?.seq ?? cursor;
        if (!page.has_more || (page.items ?? []).length === 0) break;
      }
      this.#render('auto');
      this.#maybeMarkRead();
    } catch (error) {
      if (generation === this.#generation) showError(error);
    }
  }

  #isReading() {
    return this.#loaded && !this.readingPaused && !this.#hasNewer && document.visibilityState === 'visible'
      && this.#isAtBottom();
  }

  /** Advances the read marker when the newest message is on screen in a visible tab. */
  async #maybeMarkRead() {
    if (!this.conversationID || !this.#isReading()) return;
    const newest = this.list.newest;
    if (!newest) return;
    const conversation = this.store.conversation(this.conversationID);
    if (newest.seq <= Math.max(conversation?.last_read_seq ?? 0, this.#readSeqSent)) return;
    this.#readSeqSent = newest.seq;
    const id = this.conversationID;
    try {
      this.store.applyRead(await api.markRead(id, newest.seq));
    } catch (error) {
      if (id === this.conversationID) this.#readSeqSent = 0;
      showError(error);
    }
  }
}

/**
 * The first page of a conversation: the newest messages, or those around `aroundSeq` (the
 * message itself and up to AROUND_SIZE before and after it).
 */
async function firstPage(id, aroundSeq) {
  if (aroundSeq === null) {
    const page = await api.messages(id, { limit: PAGE_SIZE });
    return { items: page.items ?? [], hasOlder: Boolean(page.has_more), hasNewer: false };
  }
  const [older, newer] = await Promise.all([
    api.messages(id, { before: aroundSeq + 1, limit: AROUND_SIZE + 1 }),
    api.messages(id, { after: aroundSeq, limit: AROUND_SIZE }),
  ]);
  return {
    items: [...(older.items ?? []), ...(newer.items ?? [])],
    hasOlder: Boolean(older.has_more),
    hasNewer: Boolean(newer.has_more),
  };
}

/** Scrolls a message's item to the middle, highlights it for a moment and focuses it. */
function spotlight(item) {
  item.scrollIntoView({ block: 'center' });
  item.classList.add('message--highlighted');
  setTimeout(() => item.classList.remove('message--highlighted'), HIGHLIGHT_MS);
  item.focus({ preventScroll: true });
}
