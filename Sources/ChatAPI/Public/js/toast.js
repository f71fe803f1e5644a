// Small, polite notices in a corner: API errors (with the API's own message) and info.
import { h } from './dom.js';

const DISMISS_AFTER_MS = { error: 8000, info: 5000 };

/**
 * Where toasts go: the open modal dialog when there is one (it sits in the top layer, above
 * everything else, and makes the rest of the page inert), else the page's own corner.
 */
function toastContainer() {
  const dialog = document.querySelector('dialog[open]');
  if (!dialog) return document.getElementById('toasts');
  let container = dialog.querySelector(':scope > .toasts');
  if (!container) {
    container = h('div', { class: 'toasts' });
    dialog.append(container);
  }
  return container;
}

/** Shows `message` for a few seconds; errors are announced at once (role="alert"). */
export function showToast(message, kind = 'error') {
  const container = toastContainer();
  const toast = h('div', { class: `toast toast--${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('p', { class: 'toast__text' }, message));
  const close = () => toast.remove();
  toast.append(h('button', { type: 'button', class: 'toast__close', 'aria-label': 'Dismiss', onclick: close }, '×'));
  container.append(toast);
  setTimeout(close, DISMISS_AFTER_MS[kind] ?? DISMISS_AFTER_MS.info);
}

/** Shows an error's message: the API's message for API errors, a generic one otherwise. */
export function showError(error) {
  if (error?.status === 401) return; // the signed-out notice says it
  showToast(error?.message || 'Something went wrong.', 'error');
}

/** Reads `text` to screen readers without showing it (new messages in other chats...). */
export function announce(text) {
  const announcer = document.getElementById('announcer');
  announcer.textContent = '';
  requestAnimationFrame(() => { announcer.textContent = text; });
}
