// The "1:1 Chats" / "Circle Chats" tabs with their unread badges (from GET /v1/unread).
import { unreadBadge } from './dom.js';

/** Keeps the tabs' current marker and badges up to date. */
export class Navigation {
  constructor(store) {
    this.store = store;
    this.tabs = [...document.querySelectorAll('.tab[data-kind]')];
    store.addEventListener('unread', () => this.renderBadges());
  }

  /** Marks the tab of `kind` as the current one. */
  select(kind) {
    for (const tab of this.tabs) {
      if (tab.dataset.kind === kind) tab.setAttribute('aria-current', 'page');
      else tab.removeAttribute('aria-current');
    }
  }

  renderBadges() {
    for (const slot of document.querySelectorAll('[data-unread-kind]')) {
      const count = this.store.unread?.[slot.dataset.unreadKind] ?? 0;
      slot.hidden = count === 0;
      slot.replaceChildren(...(count > 0 ? unreadBadge(count).childNodes : []));
      slot.dataset.count = String(count);
    }
    const total = this.store.unread?.total ?? 0;
    document.title = total > 0 ? `(${total}) Chats · Backoffice` : 'Chats · Backoffice';
  }
}
