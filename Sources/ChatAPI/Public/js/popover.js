// A small popover in a positioned host element, placed below (or above) the button that opened
// it: Esc, a click elsewhere or focus leaving it closes it, and focus can go back to that button.
// The reaction picker and the "Seen by" list use it.

const GAP_PX = 6;

/** One popover at a time per host. */
export class Popover {
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

  /** True when the popover is open for `anchor` (a second click on it toggles it closed). */
  isOpenFor(anchor) {
    return this.#element !== null && this.#anchor === anchor;
  }

  /** Shows `element` beside `anchor`, closing what was open. */
  open(anchor, element) {
    this.close();
    this.#anchor = anchor;
    this.#element = element;
    element.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      event.stopPropagation();
      this.close({ restoreFocus: true });
    });
    element.addEventListener('focusout', (event) => {
      if (this.#element === element && event.relatedTarget && !element.contains(event.relatedTarget)) this.close();
    });
    this.host.append(element);
    this.place();
    document.addEventListener('pointerdown', this.onOutside, true);
  }

  /** Places it again (after its content changed size). */
  place() {
    if (!this.#element || !this.#anchor) return;
    const host = this.host.getBoundingClientRect();
    const target = this.#anchor.getBoundingClientRect();
    const box = this.#element.getBoundingClientRect();
    const below = target.bottom + GAP_PX + box.height <= host.bottom;
    const top = below ? target.bottom + GAP_PX : target.top - GAP_PX - box.height;
    const left = Math.min(Math.max(target.right - box.width, host.left + GAP_PX), host.right - box.width - GAP_PX);
    this.#element.style.top = `${Math.max(top - host.top, GAP_PX)}px`;
    this.#element.style.left = `${left - host.left}px`;
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
}
