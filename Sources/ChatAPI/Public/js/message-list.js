// The loaded messages of the open conversation, in seq order, and how each stream change
// applies to them. Messages are replaced, never mutated, so a changed one renders afresh.
// Stream payloads carry `reactions` without `me` (one payload serves everyone): this list
// keeps `me` right for the signed-in user from what it already knew and from the user ids
// of reaction events, and the signed attachment links it already had (events carry none).
import { previewOf } from './format.js';

/** The quote of `message` that a reply shows (`reply_to` in the API's shape). */
export function quoteOf(message) {
  return {
    id: message.id,
    seq: message.seq,
    sender: message.sender ? { id: message.sender.id, name: message.sender.name } : null,
    body_preview: message.deleted ? '' : previewOf(message.body ?? ''),
    deleted: Boolean(message.deleted),
  };
}

/** `incoming`'s reactions with `me` taken from `known` where the payload lacks it. */
function keepMine(incoming, known) {
  return (incoming ?? []).map((reaction) => (typeof reaction.me === 'boolean' ? reaction
    : { ...reaction, me: known?.find((old) => old.emoji === reaction.emoji)?.me ?? false }));
}

/** `incoming`'s attachments with the signed `url`s of `known` where the payload (a stream event) lacks them. */
function keepLinks(incoming, known) {
  return (incoming ?? []).map((attachment) => (attachment.url ? attachment
    : { ...attachment, url: known?.find((old) => old.id === attachment.id)?.url }));
}

/** One conversation's messages, by id and in seq order. */
export class MessageList {
  #items = [];
  #byID = new Map();

  /** In ascending seq. */
  get items() {
    return this.#items;
  }

  get newest() {
    return this.#items.at(-1) ?? null;
  }

  get oldest() {
    return this.#items[0] ?? null;
  }

  get(id) {
    return this.#byID.get(Number(id)) ?? null;
  }

  /** Adds the messages not known yet (history pages, live ones), keeping seq order. */
  add(messages) {
    let outOfOrder = false;
    for (const message of messages) {
      if (this.#byID.has(message.id)) continue;
      if (this.#items.length > 0 && message.seq < this.#items.at(-1).seq) outOfOrder = true;
      this.#items.push(message);
      this.#byID.set(message.id, message);
    }
    if (outOfOrder) this.#items.sort((a, b) => a.seq - b.seq);
  }

  /**
   * A newer version of a message (an edit, or an API answer): replaces it when it is loaded,
   * and the quotes of it in loaded replies follow either way.
   */
  update(incoming) {
    const known = this.get(incoming.id);
    if (known) {
      this.#replace({ ...incoming, reactions: keepMine(incoming.reactions, known.reactions),
        attachments: keepLinks(incoming.attachments, known.attachments) });
    }
    this.#requote(incoming);
  }

  /** A deletion: the message stays as a "deleted" line, its text and reactions gone; quotes of it say so. */
  delete(id) {
    const known = this.get(id);
    if (known && !known.deleted) {
      this.#replace({ ...known, deleted: true, body: '', reactions: [], mentions: [], attachments: [] });
    }
    this.#requote({ id: Number(id), deleted: true, body: '' });
  }

  /**
   * A reaction event (`added` or not) with the emoji's new total `count`; `me` changes only
   * when the event is the signed-in user's own.
   */
  react({ message_id: id, emoji, user_id: userID, count }, added, meID) {
    const known = this.get(id);
    if (!known || known.deleted) return;
    const reactions = [...(known.reactions ?? [])];
    const index = reactions.findIndex((reaction) => reaction.emoji === emoji);
    const me = userID === meID ? added : (reactions[index]?.me ?? false);
    if (count <= 0) {
      if (index >= 0) reactions.splice(index, 1);
    } else if (index >= 0) {
      reactions[index] = { emoji, count, me };
    } else {
      reactions.push({ emoji, count, me }); // a new emoji goes last: the order is first use
    }
    this.#replace({ ...known, reactions });
  }

  /** The emoji used in the loaded messages, in order of first appearance. */
  usedEmoji() {
    const seen = new Set();
    for (const message of this.#items) {
      for (const reaction of message.reactions ?? []) seen.add(reaction.emoji);
    }
    return [...seen];
  }

  #replace(message) {
    const index = this.#items.findIndex((item) => item.id === message.id);
    if (index >= 0) this.#items[index] = message;
    this.#byID.set(message.id, message);
  }

  /** Updates the quote in every reply to `quoted` (the quoted message itself need not be loaded). */
  #requote(quoted) {
    for (const message of this.#items) {
      if (message.reply_to?.id !== quoted.id) continue;
      const body_preview = quoted.deleted ? '' : previewOf(quoted.body ?? '');
      this.#replace({ ...message, reply_to: { ...message.reply_to, body_preview, deleted: Boolean(quoted.deleted) } });
    }
  }
}
