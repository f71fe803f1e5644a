// Typing, both ways (API.md, "Typing" is ephemeral): the line under the timeline that says who
// else is typing, from the stream's `typing` events, and the throttle of this page's own notices.

/** A name stays this long after its last `typing` event (the typist's page repeats every 2 s). */
export const TYPING_SHOWN_MS = 5000;
/** This page tells the API at most this often per conversation. */
export const TYPING_NOTICE_INTERVAL_MS = 2000;

/** "Ada is typing...", "Ada and Bob are typing...", "Ada, Bob and 2 others are typing...". */
export function typingText(names) {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing...`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing...`;
  const others = names.length - 2;
  return `${names[0]}, ${names[1]} and ${others} ${others === 1 ? 'other' : 'others'} are typing...`;
}

/** The "is typing" line of the open conversation. */
export class TypingLine {
  #typists = new Map();

  constructor(element) {
    this.element = element;
  }

  /** A `typing` event from `user` (`{id, name}`). */
  typing(user) {
    clearTimeout(this.#typists.get(user.id)?.timer);
    const timer = setTimeout(() => this.stopped(user.id), TYPING_SHOWN_MS);
    this.#typists.set(user.id, { name: user.name ?? 'Someone', timer });
    this.#render();
  }

  /** The user's message arrived (or their time ran out). */
  stopped(userID) {
    const typist = this.#typists.get(userID);
    if (!typist) return;
    clearTimeout(typist.timer);
    this.#typists.delete(userID);
    this.#render();
  }

  /** Forgets everyone (another conversation opens). */
  clear() {
    for (const typist of this.#typists.values()) clearTimeout(typist.timer);
    this.#typists.clear();
  }

  #render() {
    const text = typingText([...this.#typists.values()].map((typist) => typist.name));
    this.element.textContent = text;
    this.element.hidden = text === '';
  }
}

/** Returns `notice()`, which calls `send()` at most once per TYPING_NOTICE_INTERVAL_MS. */
export function throttledNotice(send, now = () => Date.now()) {
  let last = -Infinity;
  return () => {
    if (now() - last < TYPING_NOTICE_INTERVAL_MS) return;
    last = now();
    send();
  };
}
