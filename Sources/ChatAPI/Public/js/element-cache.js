// Keyed re-rendering: an element is rebuilt only when what it shows changed, and kept
// (same node: focus, hover, selection and screen-reader position survive) otherwise.

/** Elements by key, each with the signature of the data it was built from. */
export class ElementCache {
  #entries = new Map();

  /** The cached element for `key` when `signature` is unchanged, else a fresh `build()`. */
  element(key, signature, build) {
    const entry = this.#entries.get(key);
    if (entry && entry.signature === signature) {
      entry.used = true;
      return entry.element;
    }
    const element = build();
    this.#entries.set(key, { signature, element, used: true });
    return element;
  }

  /** Forgets the elements not asked for since the last sweep. */
  sweep() {
    for (const [key, entry] of this.#entries) {
      if (entry.used) entry.used = false;
      else this.#entries.delete(key);
    }
  }
}

/** Makes `parent`'s element children exactly `nodes`, in order, moving only what must move. */
export function reconcileChildren(parent, nodes) {
  nodes.forEach((node, index) => {
    const current = parent.children[index];
    if (current !== node) parent.insertBefore(node, current ?? null);
  });
  while (parent.children.length > nodes.length) parent.lastElementChild.remove();
}
