// Small DOM helpers. Every piece of user text goes in as a text node, never as markup,
// so a message body like `<img src=x onerror=...>` is shown, not run.

/**
 * Creates an element. `props` sets attributes (`class`, `aria-*`, `data-*`...), `on<event>`
 * listeners, or `text`; `false`, `null` and `undefined` values are skipped. Children may be
 * nodes or strings (strings become text nodes).
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') element.className = value;
    else if (key === 'text') element.textContent = value;
    else if (key.startsWith('on') && typeof value === 'function') element.addEventListener(key.slice(2), value);
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

/** Returns the URL when it is an absolute http(s) URL, else null: keeps `javascript:` out of links and images. */
export function safeHTTPURL(value) {
  if (typeof value !== 'string' || value.length === 0) return null;
  try {
    const url = new URL(value, window.location.href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** A text that uses the singular or the plural form: `plural(1, 'member')` is "1 member". */
export function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The unread badge: the count (99+ past 99) and, for screen readers, what it counts. */
export function unreadBadge(count) {
  return h('span', { class: 'badge', 'data-count': count },
    count > 99 ? '99+' : String(count),
    h('span', { class: 'visually-hidden' }, ' unread'));
}

/** Grows or shrinks a textarea to its content (its CSS max-height still applies). */
export function fitHeight(textarea) {
  // scrollHeight leaves out the borders; box-sizing is border-box, so add them back.
  const borders = textarea.offsetHeight - textarea.clientHeight;
  textarea.style.height = 'auto';
  textarea.style.height = `${textarea.scrollHeight + borders}px`;
}
