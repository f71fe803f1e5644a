// The @-autocomplete of the message field: `@` and the start of a name list the conversation's
// members (GET .../members, once per open conversation) that match; ArrowUp/ArrowDown move,
// Enter or Tab picks, Escape closes, a click picks. A pick writes `@Full Name ` into the text and
// remembers the user, so the send can carry the ids of those whose `@Name` is still in it.
// (Not the Combobox: that one replaces an input's whole value; it shares the option highlight.)
import { avatar } from './avatar.js';
import { setActiveOption } from './combobox.js';
import { h } from './dom.js';

const MAX_OPTIONS = 8;
const MAX_QUERY_LENGTH = 40;
let optionCounter = 0;

/** The `@query` that ends at the caret (after a line start or white space), or null. */
function queryAtCaret(input) {
  const caret = input.selectionStart;
  if (caret !== input.selectionEnd) return null;
  const before = input.value.slice(0, caret);
  const at = before.lastIndexOf('@');
  if (at < 0 || (at > 0 && !/\s/.test(before[at - 1]))) return null;
  const text = before.slice(at + 1);
  if (text.length > MAX_QUERY_LENGTH || /[\n@]/.test(text) || /^\s/.test(text)) return null;
  return { start: at, end: caret, text: text.toLowerCase() };
}

/** True when a word of `name` (or the whole name) starts with `text`. */
function matches(name, text) {
  const lower = name.toLowerCase();
  return lower.startsWith(text) || lower.split(/\s+/).some((word) => word.startsWith(text));
}

/** The suggestions under one message field. */
export class MentionPicker {
  #members = null;
  #chosen = new Map();
  #matches = [];
  #active = 0;
  #range = null;
  #lookup = 0;

  /** `loadMembers()` resolves to the conversation's users; `me` (the signed-in user) is never offered. */
  constructor(input, listbox, { loadMembers, me }) {
    Object.assign(this, { input, listbox, loadMembers, me });
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-controls', listbox.id);
    input.setAttribute('aria-expanded', 'false');
    input.addEventListener('input', () => this.update());
    input.addEventListener('click', () => this.update());
    input.addEventListener('blur', () => setTimeout(() => this.close(), 150));
  }

  get isOpen() {
    return !this.listbox.hidden;
  }

  /** The picked users whose `@Name` is still in `body`, as `[{id, name}]`. */
  mentionsIn(body) {
    return [...this.#chosen.values()].filter((user) => body.includes(`@${user.name}`));
  }

  /** Forgets the picks (after a send). */
  reset() {
    this.#chosen.clear();
    this.close();
  }

  /** Handles a key of the field while the list is open; true when it was used. */
  handleKey(event) {
    if (!this.isOpen || event.isComposing) return false;
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp':
        this.#setActive(this.#active + (event.key === 'ArrowDown' ? 1 : -1));
        break;
      case 'Enter':
      case 'Tab':
        if (event.shiftKey) return false;
        this.#pick(this.#active);
        break;
      case 'Escape':
        this.close();
        break;
      default:
        return false;
    }
    event.preventDefault();
    return true;
  }

  /** Looks at the text before the caret: opens, narrows or closes the list. */
  async update() {
    const range = queryAtCaret(this.input);
    const lookup = ++this.#lookup;
    if (!range) {
      this.close();
      return;
    }
    let members;
    try {
      this.#members ??= this.loadMembers();
      members = await this.#members;
    } catch {
      this.#members = null; // tried again at the next key
      return;
    }
    if (lookup !== this.#lookup) return;
    this.#range = range;
    this.#show(members.filter((user) => user.id !== this.me?.id && matches(user.name ?? '', range.text)).slice(0, MAX_OPTIONS));
  }

  close() {
    this.listbox.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
  }

  #show(users) {
    this.#matches = users;
    if (users.length === 0) {
      this.close();
      return;
    }
    this.listbox.replaceChildren(...users.map((user, index) => h('li', {
      id: `mention-option-${++optionCounter}`,
      role: 'option',
      class: 'combobox__option mention-option',
      'aria-selected': 'false',
      'data-user-id': user.id,
      onmousedown: (event) => event.preventDefault(), // the field keeps the focus
      onclick: () => this.#pick(index),
    },
    avatar({ id: user.id, name: user.name, avatarURL: user.avatar_url, size: 'small' }),
    h('span', { class: 'mention-option__name' }, user.name ?? ''))));
    this.listbox.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
    this.#setActive(0);
  }

  #setActive(index) {
    this.#active = setActiveOption(this.input, this.listbox, index) ?? 0;
  }

  #pick(index) {
    const user = this.#matches[index];
    const range = this.#range;
    if (!user || !range) return;
    const { value } = this.input;
    const inserted = `@${user.name} `;
    this.input.value = value.slice(0, range.start) + inserted + value.slice(range.end).replace(/^ /, '');
    const caret = range.start + inserted.length;
    this.input.setSelectionRange(caret, caret);
    this.#chosen.set(user.id, { id: user.id, name: user.name });
    this.close();
    this.input.focus();
    this.input.dispatchEvent(new Event('input', { bubbles: true })); // height follows; typing is noticed
  }
}
