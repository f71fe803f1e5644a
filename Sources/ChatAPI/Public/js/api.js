// The chat API on this page's own origin, with the session token as a bearer credential.
import { session } from './session.js';

/** An error answer of the API, carrying its code and human message (shown in a toast). */
export class APIError extends Error {
  constructor(status, code, message, details = null) {
    super(message);
    this.name = 'APIError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

let unauthorizedHandler = () => {};

/** Called once per 401 answer: the token is unknown, expired or revoked. */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

const RETRY_DELAY_MS = 300;

/** fetch, tried a second time after a dropped connection when the request is a GET (safe to repeat). */
async function fetchOnceMore(path, options) {
  try {
    return await fetch(path, options);
  } catch (error) {
    if (options.method !== 'GET') throw error;
    await new Promise((resolve) => { setTimeout(resolve, RETRY_DELAY_MS); });
    return fetch(path, options);
  }
}

async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  const token = session.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetchOnceMore(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new APIError(0, 'network', 'Cannot reach the chat service. Check the connection and try again.');
  }
  if (response.status === 204) return null;
  let payload = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  if (!response.ok) {
    const error = payload?.error ?? {};
    const failure = new APIError(
      response.status,
      error.code ?? `http_${response.status}`,
      error.message ?? `The chat service answered ${response.status}.`,
      payload,
    );
    if (response.status === 401) unauthorizedHandler(failure);
    throw failure;
  }
  return payload;
}

function query(parameters) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== null) search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

const conversationPath = (id) => `/v1/conversations/${encodeURIComponent(id)}`;
const messagePath = (id, messageID) => `${conversationPath(id)}/messages/${encodeURIComponent(messageID)}`;
const reactionPath = (id, messageID, emoji) => `${messagePath(id, messageID)}/reactions/${encodeURIComponent(emoji)}`;

/** The endpoints this page uses (docs: API.md, "User endpoints", "Messages: edit, delete, reply, react" and "Attention"). */
export const api = {
  me: () => request('GET', '/v1/me'),
  unread: () => request('GET', '/v1/unread'),
  searchUsers: (q) => request('GET', `/v1/users${query({ q, limit: 10 })}`),
  searchCirclesWithoutChat: (q) => request('GET', `/v1/circles${query({ q, without_chat: 'true', limit: 20 })}`),
  conversations: (kind, cursor) => request('GET', `/v1/conversations${query({ kind, limit: 50, cursor })}`),
  conversation: (id) => request('GET', conversationPath(id)),
  messages: (id, { before, after, limit = 50 } = {}) =>
    request('GET', `${conversationPath(id)}/messages${query({ limit, before, after })}`),
  members: (id) => request('GET', `${conversationPath(id)}/members`),
  sendMessage: (id, body, clientID, { replyTo, mentions, attachments } = {}) =>
    request('POST', `${conversationPath(id)}/messages`, {
      body, client_id: clientID, reply_to: replyTo ?? undefined, mentions: mentions?.length ? mentions : undefined,
      attachments: attachments?.length ? attachments : undefined,
    }),
  message: (id, messageID) => request('GET', messagePath(id, messageID)),
  editMessage: (id, messageID, body) => request('PATCH', messagePath(id, messageID), { body }),
  deleteMessage: (id, messageID) => request('DELETE', messagePath(id, messageID)),
  addReaction: (id, messageID, emoji) => request('PUT', reactionPath(id, messageID, emoji)),
  removeReaction: (id, messageID, emoji) => request('DELETE', reactionPath(id, messageID, emoji)),
  markRead: (id, seq) => request('POST', `${conversationPath(id)}/read`, { seq }),
  markUnread: (id, seq) => request('POST', `${conversationPath(id)}/unread`, { seq }),
  setMuted: (id, muted) => request('PUT', `${conversationPath(id)}/mute`, { muted }),
  typing: (id) => request('POST', `${conversationPath(id)}/typing`),
  readers: (id, messageID) => request('GET', `${messagePath(id, messageID)}/readers`),
  searchMessages: (q, cursor) => request('GET', `/v1/search/messages${query({ q, limit: 20, cursor })}`),
  startDirectChat: (userID) => request('POST', '/v1/conversations/direct', { user_id: userID }),
  createCircleChat: ({ circleID, title, sendPolicy }) =>
    request('POST', '/v1/conversations/circle', { circle_id: circleID, title, send_policy: sendPolicy }),
};
