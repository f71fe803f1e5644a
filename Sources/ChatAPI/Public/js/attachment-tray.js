// The files waiting above the message field: each uploads at once (with a progress bar and
// Cancel), can be removed, and shows its own error (too large, too many, server busy,
// connection lost) with Retry. The next message sends the uploaded ones (API.md, "Attachments").
import { h } from './dom.js';
import { fileIcon, humanSize } from './file-kind.js';
import { showToast } from './toast.js';
import { Upload } from './upload.js';

/** The API takes 1 to 10 attachments per message. */
export const MAX_ATTACHMENTS = 10;

/** A local picture of an image file for the tray and the unsent bubble (a blob: URL). */
function previewURL(file) {
  return /^image\/(png|jpeg|gif|webp)$/.test(file.type) ? URL.createObjectURL(file) : null;
}

/** The pending uploads of the composer, drawn into `list` (a `<ul>`). */
export class AttachmentTray {
  #entries = [];

  constructor(list) {
    this.list = list;
  }

  /** Starts uploading `files` (from the button, a drop or a paste); past the limit, says so. */
  add(files) {
    const room = MAX_ATTACHMENTS - this.#entries.length;
    if (files.length > room) {
      showToast(`A message can carry at most ${MAX_ATTACHMENTS} files.`);
    }
    for (const file of [...files].slice(0, Math.max(0, room))) {
      const entry = { preview: previewURL(file) };
      entry.upload = new Upload(file, () => this.#update(entry));
      entry.element = this.#build(entry);
      this.#entries.push(entry);
      this.list.append(entry.element);
      entry.upload.start();
    }
    this.#hideWhenEmpty();
  }

  /** True when nothing is pending. */
  get isEmpty() {
    return this.#entries.length === 0;
  }

  /** The uploaded files as the message object shows them (plus a local `preview`), in order. */
  get attachments() {
    return this.#entries.filter((entry) => entry.upload.state === 'done').map((entry) => ({
      ...entry.upload.result,
      preview: entry.preview,
    }));
  }

  /**
   * Whether a message may go now: not while a file is still uploading or has failed (the
   * user retries or removes it), and not empty (a body or at least one file). Says why not.
   */
  canSend(bodyIsBlank) {
    const states = this.#entries.map((entry) => entry.upload.state);
    if (states.includes('uploading')) {
      showToast('Wait until the files are uploaded.', 'info');
      return false;
    }
    if (states.includes('failed')) {
      showToast('A file could not be uploaded: retry or remove it.', 'info');
      return false;
    }
    return !bodyIsBlank || states.length > 0;
  }

  /** Empties the tray after a send (the message keeps the uploads and their previews). */
  clear() {
    this.#entries = [];
    this.list.replaceChildren();
    this.#hideWhenEmpty();
  }

  /** Cancels every running upload and forgets every file (the conversation closes). */
  discard() {
    for (const entry of this.#entries) this.#forget(entry);
    this.clear();
  }

  #remove(entry) {
    this.#forget(entry);
    const index = this.#entries.indexOf(entry);
    if (index >= 0) this.#entries.splice(index, 1);
    entry.element.remove();
    this.#hideWhenEmpty();
  }

  #forget(entry) {
    if (entry.upload.state === 'uploading') entry.upload.cancel();
    if (entry.preview) URL.revokeObjectURL(entry.preview);
  }

  #build(entry) {
    const { file } = entry.upload;
    entry.bar = h('span', { class: 'attachment-tray__bar' });
    entry.progress = h('span', {
      class: 'attachment-tray__progress', role: 'progressbar', 'aria-label': `Uploading ${file.name}`,
      'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0',
    }, entry.bar);
    entry.status = h('span', { class: 'attachment-tray__status', role: 'status' });
    entry.retry = h('button', { type: 'button', class: 'link-button attachment-tray__retry', onclick: () => entry.upload.start() }, 'Retry');
    entry.removeButton = h('button', {
      type: 'button', class: 'attachment-tray__remove', onclick: () => this.#remove(entry),
    }, '×');
    return h('li', { class: 'attachment-tray__item' },
      entry.preview
        ? h('img', { class: 'attachment-tray__preview', src: entry.preview, alt: '' })
        : h('span', { class: 'attachment-tray__icon', 'aria-hidden': 'true' }, fileIcon(file.type)),
      h('span', { class: 'attachment-tray__text' },
        h('span', { class: 'attachment-tray__name', title: file.name }, file.name || 'file'),
        h('span', { class: 'attachment-tray__size' }, humanSize(file.size)),
        entry.progress, entry.status, entry.retry),
      entry.removeButton);
  }

  /** Redraws one file's progress and state in place (focus on its buttons stays). */
  #update(entry) {
    const { upload, element } = entry;
    const name = upload.file.name || 'file';
    const state = upload.state;
    element.dataset.state = state;
    const percent = Math.round(upload.progress * 100);
    entry.bar.style.width = `${percent}%`;
    entry.progress.setAttribute('aria-valuenow', String(percent));
    entry.progress.hidden = state !== 'uploading';
    entry.retry.hidden = state !== 'failed' || upload.status === 413; // too large stays too large
    entry.status.textContent = state === 'failed' ? upload.error : state === 'uploading' ? `${percent}%` : '';
    const label = state === 'uploading' ? `Cancel the upload of ${name}` : `Remove ${name}`;
    entry.removeButton.setAttribute('aria-label', label);
    entry.removeButton.title = label;
  }

  #hideWhenEmpty() {
    this.list.hidden = this.#entries.length === 0;
  }
}
