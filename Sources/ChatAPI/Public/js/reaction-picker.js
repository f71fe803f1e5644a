// The small emoji picker of the React action: common emoji, then those the conversation
// already uses. One per conversation pane, placed beside the button that opened it. Arrow
// keys move between emoji, Esc (or a click elsewhere) closes it and focus goes back.
import { h } from './dom.js';
import { Popover } from './popover.js';

export const COMMON_EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🙏', '👀'];
/** At most this many of the conversation's own emoji are offered after the common ones. */
const MAX_USED_EMOJI = 12;

/** The emoji to offer: the common ones, then the conversation's others in order of first use. */
export function pickerEmoji(used) {
  const extra = used.filter((emoji) => !COMMON_EMOJI.includes(emoji)).slice(0, MAX_USED_EMOJI);
  return [...COMMON_EMOJI, ...extra];
}

/** A popover in `host` (a positioned element) that offers emoji for one message at a time. */
export class ReactionPicker {
  #popover;

  constructor(host) {
    this.#popover = new Popover(host);
  }

  get isOpen() {
    return this.#popover.isOpen;
  }

  /**
   * Opens below (or above) `anchor` with `emoji`; `mine` holds those the user already
   * reacted with (shown pressed). `onPick(emoji)` gets the choice.
   */
  open(anchor, emoji, mine, onPick) {
    if (this.#popover.isOpenFor(anchor)) {
      this.close({ restoreFocus: true }); // the React button again: a toggle
      return;
    }
    const buttons = emoji.map((value) => h('button', {
      type: 'button',
      class: `reaction-picker__emoji${mine.has(value) ? ' reaction-picker__emoji--mine' : ''}`,
      'aria-pressed': String(mine.has(value)),
      'aria-label': value,
      title: value,
      'data-emoji': value,
      onclick: () => {
        this.close({ restoreFocus: true });
        onPick(value);
      },
    }, value));
    const element = h('div', { class: 'reaction-picker', role: 'group', 'aria-label': 'Add a reaction' }, buttons);
    element.addEventListener('keydown', (event) => moveFocus(event, buttons));
    this.#popover.open(anchor, element);
    buttons[0]?.focus();
  }

  /** Closes it; with `restoreFocus`, focus goes back to the button that opened it. */
  close(options) {
    this.#popover.close(options);
  }
}

/** Arrow keys, Home and End move between the emoji. */
function moveFocus(event, buttons) {
  const index = buttons.indexOf(document.activeElement);
  const moves = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
  if (event.key in moves && index >= 0) {
    event.preventDefault();
    buttons[(index + moves[event.key] + buttons.length) % buttons.length].focus();
  } else if (event.key === 'Home' || event.key === 'End') {
    event.preventDefault();
    buttons[event.key === 'Home' ? 0 : buttons.length - 1].focus();
  }
}
