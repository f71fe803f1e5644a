// Who read the user's own messages in the open conversation (API.md, "Receipts"): in a direct
// chat "Seen" under the newest own message once the other participant's marker reached it
// (`peer_last_read_seq`, kept current by `receipt.updated`); in a circle chat "Seen by N" on
// own messages, from GET .../readers (fetched once per message, again for the newest ones when
// others write, since writing reads what came before), a button that lists who.
import { api } from './api.js';
import { h } from './dom.js';
import { formatFullTime, parseTime } from './format.js';
import { Popover } from './popover.js';
import { showError } from './toast.js';

/** When others write, the reader counts of this many of the newest own messages are fetched again. */
const RECOUNTED_OWN_MESSAGES = 5;

/** The receipts of one conversation pane. */
export class Receipts {
  #counts = new Map();
  #queue = [];
  #fetching = false;
  #generation = 0;
  #popover;

  /** `view` gives `conversationID` and `render()`; the "Seen by" list opens in `host`. */
  constructor(view, host) {
    this.view = view;
    this.#popover = new Popover(host);
  }

  /** Forgets the counts (another conversation opens). */
  reset() {
    this.#counts.clear();
    this.#queue = [];
    this.#generation += 1;
    this.#popover.close();
  }

  /**
   * The `receiptOf(message)` for one render of `items` (the loaded messages) in `conversation`
   * as `me` sees it: `{seen: true}`, `{readers: N}` or null.
   */
  receiptsFor(conversation, items, me) {
    const own = (message) => message.id !== undefined && message.kind !== 'system' && !message.deleted
      && message.sender?.id === me?.id;
    if (conversation?.kind === 'direct') {
      const newestOwn = items.findLast(own);
      const seen = newestOwn && newestOwn.seq <= (conversation.peer_last_read_seq ?? 0) ? newestOwn.id : null;
      return (message) => (message.id === seen ? { seen: true } : null);
    }
    return (message) => {
      if (!own(message)) return null;
      if (!this.#counts.has(message.id)) this.#fetchCount(message.id);
      const count = this.#counts.get(message.id);
      return count ? { readers: count } : null;
    };
  }

  /** Someone else wrote in a circle chat: they have read what came before, so recount the newest own messages. */
  othersWrote(items, me) {
    const newestOwn = items.filter((message) => message.sender?.id === me?.id && message.id !== undefined)
      .slice(-RECOUNTED_OWN_MESSAGES);
    for (const message of newestOwn) this.#fetchCount(message.id);
  }

  /** Opens the list of who read `message` below `anchor` (the "Seen by N" button). */
  async showReaders(message, anchor) {
    if (this.#popover.isOpenFor(anchor)) {
      this.#popover.close({ restoreFocus: true });
      return;
    }
    const list = h('ul', { class: 'readers__list' }, h('li', { class: 'readers__loading' }, 'Loading…'));
    const element = h('div', { class: 'readers', role: 'dialog', 'aria-label': 'Seen by', tabindex: '-1' },
      h('p', { class: 'readers__title' }, 'Seen by'), list);
    this.#popover.open(anchor, element);
    element.focus();
    try {
      const answer = await api.readers(this.view.conversationID, message.id);
      list.replaceChildren(...(answer.items ?? []).map(({ user, read_at: readAt }) => {
        const date = parseTime(readAt);
        return h('li', { class: 'readers__item', title: date ? `Read ${formatFullTime(date)}` : null }, user?.name ?? '');
      }));
      const more = (answer.count ?? 0) - (answer.items?.length ?? 0);
      if (more > 0) list.append(h('li', { class: 'readers__more' }, `and ${more} more`));
      this.#setCount(message.id, answer.count ?? 0);
      this.#popover.place();
    } catch (error) {
      this.#popover.close();
      showError(error);
    }
  }

  #fetchCount(messageID) {
    if (!this.#counts.has(messageID)) this.#counts.set(messageID, 0);
    if (!this.#queue.includes(messageID)) this.#queue.push(messageID);
    this.#drain();
  }

  /** One readers request at a time, so a long history does not flood the API. */
  async #drain() {
    if (this.#fetching) return;
    this.#fetching = true;
    const generation = this.#generation;
    const conversationID = this.view.conversationID;
    try {
      while (this.#queue.length > 0 && generation === this.#generation) {
        const messageID = this.#queue.shift();
        try {
          const answer = await api.readers(conversationID, messageID);
          if (generation === this.#generation) this.#setCount(messageID, answer.count ?? 0);
        } catch {
          // Deleted or out of reach meanwhile: the message shows no count.
        }
      }
    } finally {
      this.#fetching = false;
      if (generation !== this.#generation && this.#queue.length > 0) this.#drain();
    }
  }

  #setCount(messageID, count) {
    if (this.#counts.get(messageID) === count) return;
    this.#counts.set(messageID, count);
    this.view.render();
  }
}
