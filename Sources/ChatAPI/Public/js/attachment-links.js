// Signed attachment links (API.md, "Attachments"): API answers carry a `url` minted for this
// reader, valid one hour; stream events carry attachments without one. A message that lacks
// a link (or holds one about to expire) is fetched again with GET .../messages/{id}, once
// per message and state, however many renders or events ask.
import { api } from './api.js';

/** A link is renewed this long before it expires. */
const RENEW_MARGIN_S = 60;

/** The expiry (UNIX seconds) of a signed link, or 0 when it has none. */
function expiryOf(url) {
  try {
    return Number(new URL(url, window.location.href).searchParams.get('exp')) || 0;
  } catch {
    return 0;
  }
}

/** True when `url` is missing or expires within the margin. */
export function linkIsStale(url, now = Date.now()) {
  return !url || expiryOf(url) - RENEW_MARGIN_S <= now / 1000;
}

/** The stale-link state of a message, or null when all its attachments have fresh links. */
function staleKey(message) {
  const attachments = message.deleted ? [] : message.attachments ?? [];
  if (message.id === undefined || !attachments.some((attachment) => linkIsStale(attachment.url))) return null;
  return `${message.id}:${attachments.map((attachment) => expiryOf(attachment.url ?? '')).join(',')}`;
}

/** Fetches messages again for their links; `onFetched(conversationID, message)` gets each answer. */
export class AttachmentLinks {
  #asked = new Map();

  constructor(onFetched) {
    this.onFetched = onFetched;
  }

  /** Fetches `message` when its links are missing or stale; no-op when already asked for this state. */
  ensure(conversationID, message) {
    const key = staleKey(message);
    if (!key) return Promise.resolve(message);
    if (!this.#asked.has(key)) {
      const answer = api.message(conversationID, message.id).then((fresh) => {
        this.onFetched(conversationID, fresh);
        return fresh;
      }, () => null); // deleted or no longer visible: the stream says so in its own event
      this.#asked.set(key, answer);
    }
    return this.#asked.get(key);
  }

  /** Forgets what was asked (another conversation opens). */
  reset() {
    this.#asked.clear();
  }
}
