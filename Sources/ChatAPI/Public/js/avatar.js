import { h, safeHTTPURL } from './dom.js';

const PALETTE_SIZE = 8;
/** Pictures that failed to load once are not asked for again in this tab. */
const failedSources = new Set();

/** Up to two letters from the first and last words of a name; "?" for an empty name. */
export function initials(name) {
  const words = String(name ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const first = Array.from(words[0])[0];
  const last = words.length > 1 ? Array.from(words[words.length - 1])[0] : '';
  return (first + last).toUpperCase();
}

/** A stable palette slot for an id, so a person keeps the same colour everywhere. */
function colourSlot(key) {
  let hash = 0;
  for (const character of String(key)) hash = (hash * 31 + character.codePointAt(0)) >>> 0;
  return hash % PALETTE_SIZE;
}

/**
 * An avatar: the picture when `avatarURL` is an http(s) URL that loads, otherwise the
 * initials on a coloured circle. Decorative (the name is always shown beside it).
 */
export function avatar({ id, name, avatarURL, size = 'medium' }) {
  const element = h('span', {
    class: `avatar avatar--${size} avatar--colour-${colourSlot(id ?? name)}`,
    'aria-hidden': 'true',
  });
  const showInitials = () => element.replaceChildren(h('span', { class: 'avatar__initials' }, initials(name)));
  const source = safeHTTPURL(avatarURL);
  if (source && !failedSources.has(source)) {
    const image = h('img', { class: 'avatar__image', src: source, alt: '', referrerpolicy: 'no-referrer', decoding: 'async' });
    image.addEventListener('error', () => {
      failedSources.add(source);
      showInitials();
    }, { once: true });
    element.append(image);
  } else {
    showInitials();
  }
  return element;
}
