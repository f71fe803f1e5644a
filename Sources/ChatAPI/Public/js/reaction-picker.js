// The small emoji picker of the React action: common emoji, then those the conversation
// already uses. One per conversation pane, placed beside the button that opened it. Arrow
// keys move between emoji, Esc (or a click elsewhere) closes it and focus goes back.
import { h } from './dom.js';

export const COMMON_EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🙏', '👀'];
/** At most this many of the conversation's own emoji are offered after the common ones. */
const MAX_USED_EMOJI = 12;
const GAP_PX = 6;

/** The emoji to offer: the common ones, then the conversation's others in order of first use. */
export function pickerEmoji(used) {
  const extra = used.filter((emoji) => !COMMON_EMOJI.includes(emoji)).slice(0, MAX_USED_EMOJI);
  return [...COMMON_EMOJI, ...extra];
}

/** A popover in `host` (a positioned element) that offers emoji for one message at a time. */
export class ReactionPicker {
  #anchor = null;
  #element = null;

  constructor(host) {
    this.host = host;
    this.onOutside = (event) => {
      if (this.#element && !this.#element.contains(event.target) && event.target !== this.#anchor) this.close();
    };
  }

  get isOpen() {
    return this.#element !== null;
  }

  /**
   * Opens below (or above) `anchor` with `emoji`; `mine` holds those the user already
   * reacted with (shown pressed). `onPick(emoji)` gets the choice.
   */
  open(anchor, emoji, mine, onPick) {
    if (this.#element && this.#anchor === anchor) {
      this.close({ restoreFocus: true }); // the React button again: a toggle
      return;
    }
    this.close();
    this.#anchor = anchor;
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
    this.#element = h('div', { class: 'reaction-picker', role: 'group', 'aria-label': 'Add a reaction' }, buttons);
    this.#element.addEventListener('keydown', (event) => this.#onKey(event, buttons));
    this.#element.addEventListener('focusout', (event) => {
      if (this.#element && !this.#element.contains(event.relatedTarget) && event.relatedTarget) this.close();
    });
    this.host.append(this.#element);
    this.#place(anchor);
    document.addEventListener('pointerdown', this.onOutside, true);
    buttons[0]?.focus();
  }

  /** Closes it; with `restoreFocus`, focus goes back to the button that opened it. */
  close({ restoreFocus = false } = {}) {
    if (!this.#element) return;
    document.removeEventListener('pointerdown', this.onOutside, true);
    this.#element.remove();
    this.#element = null;
    if (restoreFocus && this.#anchor?.isConnected) this.#anchor.focus();
    this.#anchor = null;
  }

  #place(anchor) {
    const host = this.host.getBoundingClientRect();
    const target = anchor.getBoundingClientRect();
    const picker = this.#element.getBoundingClientRect();
    const below = target.bottom + GAP_PX + picker.height <= host.bottom;
    const top = below ? target.bottom + GAP_PX : target.top - GAP_PX - picker.height;
    const left = Math.min(Math.max(target.right - picker.width, host.left + GAP_PX), host.right - picker.width - GAP_PX);
    this.#element.style.top = `${Math.max(top - host.top, GAP_PX)}px`;
    this.#element.style.left = `${left - host.left}px`;
  }

  #onKey(event, buttons) {
    const index = buttons.indexOf(document.activeElement);
    const moves = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this.close({ restoreFocus: true });
    } else if (event.key in moves && index >= 0) {
      event.preventDefault();
      buttons[(index + moves[event.key] + buttons.length) % buttons.length].focus();
    } else if (event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      buttons[event.key === 'Home' ? 0 : buttons.length - 1].focus();
    }
  }
}
