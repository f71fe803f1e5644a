// The search box above the lists (API.md, "Search"): typing searches the messages the user may
// read (GET /v1/search/messages, after a short pause), newest first; the results replace the
// lists, grouped by conversation, each with its highlighted text; a click opens the
// conversation at that message. Escape or an empty box brings the lists back.
import { api } from './api.js';
import { h } from './dom.js';
import { formatFullTime, formatListTime, parseTime } from './format.js';
import { conversationHash } from './router.js';

const SEARCH_DELAY_MS = 250;
const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name) => {
    if (name[0] !== '#') return ENTITIES[name.toLowerCase()] ?? whole;
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/**
 * The nodes of a search `highlight` (escaped text with <mark> tags): text nodes and <mark>
 * elements built here, never parsed as HTML, so any other markup shows as text.
 */
export function highlightNodes(html) {
  const nodes = [];
  let marked = false;
  for (const piece of String(html).split(/(<\/?mark>)/i)) {
    if (/^<mark>$/i.test(piece)) marked = true;
    else if (/^<\/mark>$/i.test(piece)) marked = false;
    else if (piece) nodes.push(marked ? h('mark', {}, decodeEntities(piece)) : decodeEntities(piece));
  }
  return nodes;
}

/** The search box and its results in the list pane. */
export class SearchPanel {
  #timer = null;
  #query = '';
  #lookup = 0;
  #cursor = null;
  #groups = new Map();

  /** `onOpen(conversationID, seq)` opens a result's conversation at its message. */
  constructor({ onOpen, onError }) {
    this.onOpen = onOpen;
    this.onError = onError;
    this.pane = document.querySelector('.list-pane');
    this.input = document.getElementById('search-input');
    this.results = document.getElementById('search-results');
    this.status = document.getElementById('search-status');
    this.groups = document.getElementById('search-groups');
    this.more = document.getElementById('search-more');
    this.input.addEventListener('input', () => this.#searchSoon());
    this.input.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || this.input.value === '') return;
      event.preventDefault();
      this.input.value = '';
      this.#searchSoon();
    });
    document.getElementById('search-form').addEventListener('submit', (event) => {
      event.preventDefault();
      clearTimeout(this.#timer);
      this.#run(this.input.value.trim());
    });
    this.more.addEventListener('click', () => this.#load(this.#query, this.#cursor, this.#lookup));
  }

  #searchSoon() {
    clearTimeout(this.#timer);
    const text = this.input.value.trim();
    if (text === '') {
      this.#run('');
      return;
    }
    this.#timer = setTimeout(() => this.#run(text), SEARCH_DELAY_MS);
  }

  #run(text) {
    if (text === this.#query && text !== '') return;
    this.#query = text;
    const lookup = ++this.#lookup;
    this.#groups.clear();
    this.groups.replaceChildren();
    this.more.hidden = true;
    const searching = text !== '';
    this.results.hidden = !searching;
    if (searching) this.pane.dataset.searching = 'true';
    else delete this.pane.dataset.searching;
    if (searching) {
      this.status.textContent = 'Searching…';
      this.#load(text, null, lookup);
    }
  }

  async #load(text, cursor, lookup) {
    this.more.disabled = true;
    try {
      const answer = await api.searchMessages(text, cursor ?? undefined);
      if (lookup !== this.#lookup) return;
      for (const hit of answer.items ?? []) this.#add(hit);
      this.#cursor = answer.next_cursor ?? null;
      this.more.hidden = this.#cursor === null;
      this.status.textContent = this.#groups.size === 0 ? `No messages match “${text}”.` : '';
    } catch (error) {
      if (lookup !== this.#lookup) return;
      this.status.textContent = 'The search failed.';
      this.onError(error);
    } finally {
      this.more.disabled = false;
    }
  }

  /** Adds a hit under its conversation's heading (groups in order of their newest hit). */
  #add({ message, conversation, highlight }) {
    if (!message || !conversation?.id) return;
    let group = this.#groups.get(conversation.id);
    if (!group) {
      const list = h('ol', { class: 'search-group__hits' });
      const section = h('section', { class: 'search-group', 'data-conversation-id': conversation.id },
        h('h3', { class: 'search-group__title' }, conversation.title ?? '',
          h('span', { class: 'search-group__kind' }, conversation.kind === 'circle' ? 'Circle chat' : '1:1 chat')),
        list);
      group = { list };
      this.#groups.set(conversation.id, group);
      this.groups.append(section);
    }
    const date = parseTime(message.created_at);
    group.list.append(h('li', {},
      h('a', {
        class: 'search-hit',
        href: conversationHash(conversation.id),
        'data-message-id': message.id,
        'data-seq': message.seq,
        onclick: (event) => {
          event.preventDefault();
          this.groups.querySelector('[aria-current]')?.removeAttribute('aria-current');
          event.currentTarget.setAttribute('aria-current', 'true');
          this.onOpen(conversation.id, message.seq);
        },
      },
      h('span', { class: 'search-hit__top' },
        h('span', { class: 'search-hit__sender' }, message.sender?.name ?? ''),
        date ? h('time', { class: 'search-hit__time', datetime: date.toISOString(), title: formatFullTime(date) },
          formatListTime(date)) : null),
      h('span', { class: 'search-hit__text' }, highlightNodes(highlight ?? '')))));
  }
}
