// The demo sign-in: a link carries `#token=...` (and optionally `#gateway=http://host:port`).
// Both are kept in sessionStorage (this tab only) and the fragment is removed from the
// address bar, so the token is not left in history, bookmarks or screenshots.

const TOKEN_KEY = 'chat.token';
const GATEWAY_KEY = 'chat.gateway';
const DEFAULT_GATEWAY_PORT = '8081';

/** The origin of an http(s) URL, or null for anything else. */
function gatewayOrigin(value) {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * Moves `token` and `gateway` from the URL fragment into sessionStorage and rewrites the
 * address to the default route. Returns true when the fragment was a sign-in fragment.
 */
export function takeSignInFragment() {
  const fragment = window.location.hash.slice(1);
  if (!/(^|&)(token|gateway)=/.test(fragment)) return false;
  const parameters = new URLSearchParams(fragment);
  const token = parameters.get('token');
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  const gateway = gatewayOrigin(parameters.get('gateway') ?? '');
  if (gateway) sessionStorage.setItem(GATEWAY_KEY, gateway);
  history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/direct`);
  return true;
}

/** The signed-in tab's credentials and where its stream comes from. */
export const session = {
  /** The session token, or null when this tab has not been signed in. */
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },

  /** The gateway's origin: the stored override, else this host on port 8081. */
  get gatewayURL() {
    const stored = sessionStorage.getItem(GATEWAY_KEY);
    if (stored) return stored;
    const { protocol, hostname } = window.location;
    return `${protocol}//${hostname}:${DEFAULT_GATEWAY_PORT}`;
  },

  /** Forgets the token (after a 401): the page shows the signed-out notice. */
  forgetToken() {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};
