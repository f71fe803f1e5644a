// An accessible autocomplete (WAI-ARIA combobox with a listbox popup): typing searches,
// ArrowUp/ArrowDown move through the suggestions, Enter picks one, Escape closes the list.
import { h } from './dom.js';

const SEARCH_DELAY_MS = 200;
let optionCounter = 0;

/**
 * Makes the option at `index` (wrapping round) the active one of `listbox`, for the field
 * `input` (aria-activedescendant) and the eye (scrolled into view); returns that index, or
 * null when there are no options.
 */
export function setActiveOption(input, listbox, index) {
  const options = [...listbox.children];
  if (options.length === 0) return null;
  const active = (index + options.length) % options.length;
  options.forEach((option, position) => {
    const isActive = position === active;
    option.setAttribute('aria-selected', String(isActive));
    option.classList.toggle('combobox__option--active', isActive);
    if (isActive) {
      input.setAttribute('aria-activedescendant', option.id);
      option.scrollIntoView({ block: 'nearest' });
    }
  });
  return active;
}

/** Wires an `input[role=combobox]` and its `ul[role=listbox]`. */
export class Combobox {
  #items = [];
  #active = -1;
  #timer = null;
  #query = 0;
  #escapeConsumed = false;
  selected = null;

  /**
   * `search(text)` resolves to items; `option(item)` returns the option's content nodes;
   * `label(item)` is the text put in the field once picked; `onChange(item|null)` follows
   * the selection; `describe(count)` is the status line read after a search.
   */
  constructor({ input, listbox, status, search, option, label, onChange, describe, onError }) {
    Object.assign(this, { input, listbox, status, search, option, label, onChange, describe, onError });
    input.addEventListener('input', () => {
      this.#select(null);
      this.#searchSoon();
    });
    input.addEventListener('keydown', (event) => this.#onKeyDown(event));
    input.addEventListener('blur', () => setTimeout(() => this.#close(), 150));
  }

  /** Clears the field, the suggestions and the selection. */
  reset() {
    clearTimeout(this.#timer);
    this.#query += 1;
    this.input.value = '';
    this.status.textContent = '';
    this.#select(null);
    this.#close();
  }

  /** Runs a search for the field's current text now (e.g. on opening the dialog). */
  searchNow() {
    clearTimeout(this.#timer);
    return this.#runSearch(this.input.value.trim());
  }

  /** True once after Escape closed the suggestions, so the dialog stays open. */
  takeEscape() {
    const consumed = this.#escapeConsumed;
    this.#escapeConsumed = false;
    return consumed;
  }

  #searchSoon() {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#runSearch(this.input.value.trim()), SEARCH_DELAY_MS);
  }

  async #runSearch(text) {
    const query = ++this.#query;
    let items;
    try {
      items = await this.search(text);
    } catch (error) {
      if (query === this.#query) this.onError?.(error);
      return;
    }
    if (query !== this.#query) return;
    this.#show(items);
  }

  #show(items) {
    this.#items = items;
    this.#active = -1;
    this.listbox.replaceChildren(...items.map((item, index) => {
      const id = `${this.listbox.id}-option-${++optionCounter}`;
      return h('li', {
        id,
        role: 'option',
        class: 'combobox__option',
        'aria-selected': 'false',
        'data-index': index,
        onmousedown: (event) => event.preventDefault(),
        onclick: () => this.#pick(index),
      }, this.option(item));
    }));
    this.status.textContent = this.describe(items.length);
    if (items.length > 0) this.#open();
    else this.#close();
  }

  #open() {
    this.listbox.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
  }

  #close() {
    this.listbox.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
    this.#active = -1;
  }

  get #isOpen() {
    return !this.listbox.hidden;
  }

  #setActive(index) {
    this.#active = setActiveOption(this.input, this.listbox, index) ?? this.#active;
  }

  #onKeyDown(event) {
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        event.preventDefault();
        if (!this.#isOpen) {
          if (this.#items.length === 0) return;
          this.#open();
        }
        const step = event.key === 'ArrowDown' ? 1 : -1;
        this.#setActive(this.#active < 0 ? (step > 0 ? 0 : -1) : this.#active + step);
        break;
      }
      case 'Enter':
        if (this.#isOpen && this.#active >= 0) {
          event.preventDefault();
          this.#pick(this.#active);
        }
        break;
      case 'Escape':
        if (this.#isOpen) {
          event.preventDefault();
          this.#escapeConsumed = true;
          this.#close();
        }
        break;
      default:
    }
  }

  #pick(index) {
    const item = this.#items[index];
    if (!item) return;
    this.input.value = this.label(item);
    this.#close();
    this.#select(item);
    this.input.focus();
  }

  #select(item) {
    if (this.selected === item) return;
    this.selected = item;
    this.onChange?.(item);
  }
}
