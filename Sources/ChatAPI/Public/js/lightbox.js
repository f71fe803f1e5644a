// An image attachment at full size over the page: a modal <dialog>, so Esc closes it and the
// keyboard stays inside; a click anywhere closes it too; focus goes back to the thumbnail.
import { h } from './dom.js';
import { humanSize } from './file-kind.js';

let lightbox = null;

function build() {
  const image = h('img', { class: 'lightbox__image', alt: '' });
  const caption = h('p', { class: 'lightbox__caption' });
  const close = h('button', { type: 'button', class: 'lightbox__close', 'aria-label': 'Close', title: 'Close (Esc)' }, '×');
  const dialog = h('dialog', { class: 'lightbox', 'aria-label': 'Image' }, close, image, caption);
  // Any click closes, except on the "Download" link, which must still work.
  dialog.addEventListener('click', (event) => {
    if (!event.target.closest('a')) dialog.close();
  });
  dialog.addEventListener('close', () => {
    image.removeAttribute('src');
    lightbox.opener?.focus();
    lightbox.opener = null;
  });
  document.body.append(dialog);
  return { dialog, image, caption, close, opener: null };
}

/** Shows `attachment` (with a `url`) at full size; `opener` gets the focus back on close. */
export function openLightbox(attachment, opener) {
  lightbox ??= build();
  const { dialog, image, caption, close } = lightbox;
  lightbox.opener = opener;
  image.src = attachment.url ?? attachment.preview;
  image.alt = attachment.filename ?? '';
  if (attachment.width && attachment.height) {
    image.width = attachment.width;
    image.height = attachment.height;
  } else {
    image.removeAttribute('width');
    image.removeAttribute('height');
  }
  caption.replaceChildren(
    h('span', { class: 'lightbox__name' }, attachment.filename ?? ''),
    h('span', { class: 'lightbox__size' }, humanSize(attachment.size)),
    attachment.url ? h('a', { class: 'lightbox__download', href: attachment.url, download: attachment.filename ?? '' }, 'Download') : null);
  dialog.showModal();
  close.focus();
}
