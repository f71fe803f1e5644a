// A message's attachments in the timeline (API.md, "Attachments"): images as thumbnails that
// the browser scales into a fixed box (the box has its final size from the API's width and
// height before the bytes arrive, so nothing jumps), opening full size in the lightbox; any
// other file as a chip with icon, name, type and size, linking to its signed download.
import { h } from './dom.js';
import { linkIsStale } from './attachment-links.js';
import { fileIcon, humanSize, isImageType } from './file-kind.js';
import { openLightbox } from './lightbox.js';

const THUMB_MAX_WIDTH = 240;
const THUMB_MAX_HEIGHT = 200;

/** The thumbnail's size: the image scaled down (never up) into the box; the box itself when unknown. */
function thumbnailSize({ width, height }) {
  if (!(width > 0 && height > 0)) return { width: THUMB_MAX_WIDTH, height: THUMB_MAX_HEIGHT, unknown: true };
  const scale = Math.min(1, THUMB_MAX_WIDTH / width, THUMB_MAX_HEIGHT / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

function thumbnail(message, attachment, onLinkFailed) {
  const size = thumbnailSize(attachment);
  const source = attachment.url ?? attachment.preview;
  const picture = source
    ? h('img', {
      class: `attachment-thumb__image${size.unknown ? ' attachment-thumb__image--contain' : ''}`,
      src: source, alt: attachment.filename ?? 'image', width: size.width, height: size.height, loading: 'lazy', decoding: 'async',
      onerror: () => onLinkFailed(message),
    })
    : h('span', { class: 'attachment-thumb__placeholder' });
  if (!source) {
    // The link is on its way (a stream message): hold the final size already.
    picture.style.width = `${size.width}px`;
    picture.style.height = `${size.height}px`;
  }
  return h('button', {
    type: 'button',
    class: 'attachment-thumb',
    'aria-label': `Open image ${attachment.filename ?? ''}`,
    title: attachment.filename ?? '',
    'data-attachment-id': attachment.id ?? null,
    'data-focus-key': `attachment:${attachment.id ?? attachment.filename}`,
    disabled: !source,
    onclick: (event) => openLightbox(attachment, event.currentTarget),
  }, picture);
}

function fileChip(message, attachment, onLinkFailed) {
  const parts = [
    h('span', { class: 'attachment-chip__icon', 'aria-hidden': 'true' }, fileIcon(attachment.content_type)),
    h('span', { class: 'attachment-chip__text' },
      h('span', { class: 'attachment-chip__name' }, attachment.filename ?? 'file'),
      h('span', { class: 'attachment-chip__details' }, `${humanSize(attachment.size)} · ${attachment.content_type ?? ''}`)),
  ];
  const common = {
    class: 'attachment-chip',
    title: attachment.filename ?? '',
    'data-attachment-id': attachment.id ?? null,
    'data-focus-key': `attachment:${attachment.id ?? attachment.filename}`,
  };
  if (!attachment.url) return h('span', common, parts);
  return h('a', {
    ...common,
    href: attachment.url,
    download: attachment.filename ?? '',
    onclick: (event) => {
      if (!linkIsStale(attachment.url)) return;
      // An hour-old page: the link expired, so ask for a fresh one and follow that.
      event.preventDefault();
      onLinkFailed(message).then((fresh) => {
        const url = fresh?.attachments?.find((item) => item.id === attachment.id)?.url;
        if (url) window.location.assign(url);
      });
    },
  }, parts);
}

/**
 * The attachments of `message` (none for a deleted one), or null. `onLinkFailed(message)`
 * renews its links (a stale link, an image that failed to load) and resolves to the fresh
 * message.
 */
export function attachmentBlock(message, onLinkFailed) {
  const attachments = message.deleted ? [] : message.attachments ?? [];
  if (attachments.length === 0) return null;
  return h('div', { class: 'message__attachments' },
    attachments.map((attachment) => (isImageType(attachment.content_type)
      ? thumbnail(message, attachment, onLinkFailed)
      : fileChip(message, attachment, onLinkFailed))));
}
