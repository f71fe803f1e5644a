// Hash routes, so the page works as one static file: `#/direct`, `#/circle`,
// `#/conversations/<id>`.

/** The route the address bar names. */
export function currentRoute() {
  const [section, id] = window.location.hash.replace(/^#\/?/, '').split('/');
  if (section === 'conversations' && id) return { name: 'conversation', id: decodeURIComponent(id) };
  if (section === 'circle') return { name: 'list', kind: 'circle' };
  return { name: 'list', kind: 'direct' };
}

export const listHash = (kind) => `#/${kind === 'circle' ? 'circle' : 'direct'}`;
export const conversationHash = (id) => `#/conversations/${encodeURIComponent(id)}`;

/** Goes to `hash`; `hashchange` then renders the route. */
export function navigate(hash) {
  if (window.location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else window.location.hash = hash;
}
