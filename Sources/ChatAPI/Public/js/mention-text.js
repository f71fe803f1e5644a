// A message body with its mentions highlighted: each `@Name` of a mentioned user becomes a
// <span class="mention"> (stronger, `mention--me`, for the signed-in user); everything stays text
// nodes, so markup in a body or a name is shown, never run.
import { h } from './dom.js';

/** The nodes of `body` with the `@Name` of each of `mentions` (`[{id, name}]`) marked. */
export function mentionedText(body, mentions, meID) {
  const names = (mentions ?? [])
    .filter((user) => user?.name)
    .map((user) => ({ token: `@${user.name}`, me: user.id === meID }))
    .sort((a, b) => b.token.length - a.token.length); // "@Ada Lovelace" before "@Ada"
  if (names.length === 0) return [body];
  const nodes = [];
  let rest = body;
  for (;;) {
    let first = null;
    for (const name of names) {
      const index = rest.indexOf(name.token);
      if (index >= 0 && (first === null || index < first.index)) first = { ...name, index };
    }
    if (first === null) break;
    if (first.index > 0) nodes.push(rest.slice(0, first.index));
    nodes.push(h('span', { class: `mention${first.me ? ' mention--me' : ''}` }, first.token));
    rest = rest.slice(first.index + first.token.length);
  }
  if (rest) nodes.push(rest);
  return nodes;
}
