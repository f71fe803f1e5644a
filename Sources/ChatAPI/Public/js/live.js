// The tab's one live connection: an EventSource on the gateway's /v1/stream for
// everything the user may see. The browser reconnects by itself and resends
// Last-Event-ID; when it gives up (a non-stream answer), a new EventSource is made with
// `last_event_id=` so nothing is missed.

const EVENT_TYPES = [
  'message.created',
  'message.updated',
  'message.deleted',
  'reaction.added',
  'reaction.removed',
  'conversation.created',
  'conversation.updated',
  'conversation.removed',
  'read.updated',
  'receipt.updated',
  'mute.updated',
  'typing',
  'reset',
];
/** Sent without an `id:` line: their `lastEventId` is the previous event's, so it must not be checked. */
const EPHEMERAL_TYPES = new Set(['typing']);
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30000;
const BANNER_DELAY_MS = 1200;

/** One EventSource per tab, recreated with backoff when the browser stops retrying. */
export class LiveConnection {
  #source = null;
  #lastEventID = null;
  #retryDelay = FIRST_RETRY_MS;
  #retryTimer = null;
  #bannerTimer = null;
  #stopped = false;
  #droppedBeforeFirstEvent = false;

  /**
   * `onEvent(type, data)` gets each parsed event once, in order; `onStatus(connected)`
   * says whether the "Reconnecting…" banner should show; `onGaveUp()` runs when the
   * gateway refused the stream (the caller checks whether the session is still valid);
   * `onResync()` runs when a stream dropped before its first event came back: with no
   * event id to resume from, what happened in between must be fetched.
   */
  constructor({ gatewayURL, token, onEvent, onStatus, onGaveUp, onResync }) {
    this.gatewayURL = gatewayURL;
    this.token = token;
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.onGaveUp = onGaveUp;
    this.onResync = onResync;
  }

  start() {
    this.#stopped = false;
    this.#open();
  }

  stop() {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#bannerTimer);
    this.#source?.close();
    this.#source = null;
  }

  #open() {
    const url = new URL('/v1/stream', this.gatewayURL);
    url.searchParams.set('access_token', this.token);
    if (this.#lastEventID !== null) url.searchParams.set('last_event_id', this.#lastEventID);
    const source = new EventSource(url.href);
    this.#source = source;
    for (const type of EVENT_TYPES) source.addEventListener(type, (event) => this.#receive(type, event));
    source.addEventListener('open', () => {
      this.#retryDelay = FIRST_RETRY_MS;
      this.#setConnected(true);
      if (this.#droppedBeforeFirstEvent) {
        this.#droppedBeforeFirstEvent = false;
        this.onResync?.();
      }
    });
    source.addEventListener('error', () => {
      if (source !== this.#source || this.#stopped) return;
      if (this.#lastEventID === null) this.#droppedBeforeFirstEvent = true;
      this.#setConnected(false);
      if (source.readyState === EventSource.CLOSED) this.#recreateLater();
    });
  }

  #receive(type, event) {
    if (event.lastEventId && !EPHEMERAL_TYPES.has(type)) {
      const id = Number(event.lastEventId);
      const last = Number(this.#lastEventID ?? -1);
      // The gateway never sends an id twice on a stream; this guards a recreated stream.
      if (Number.isFinite(id) && Number.isFinite(last) && id <= last && type !== 'reset') return;
      this.#lastEventID = event.lastEventId;
    }
    let data = {};
    try {
      data = event.data ? JSON.parse(event.data) : {};
    } catch {
      return;
    }
    this.onEvent(type, data);
  }

  #recreateLater() {
    this.#source?.close();
    clearTimeout(this.#retryTimer);
    const delay = this.#retryDelay * (0.75 + Math.random() * 0.5);
    this.#retryDelay = Math.min(this.#retryDelay * 2, MAX_RETRY_MS);
    this.#retryTimer = setTimeout(() => {
      if (!this.#stopped) this.#open();
    }, delay);
    this.onGaveUp?.();
  }

  #setConnected(connected) {
    if (connected) {
      clearTimeout(this.#bannerTimer);
      this.#bannerTimer = null;
      this.onStatus(true);
    } else if (this.#bannerTimer === null) {
      // Quiet: a reconnect that succeeds at once shows nothing. Later failures of the same
      // outage do not push the banner back (fast retries would otherwise hide it for good).
      this.#bannerTimer = setTimeout(() => this.onStatus(false), BANNER_DELAY_MS);
    }
  }
}
