// What a file is, for display: whether the timeline shows it as a picture, its icon, its size
// in words. The API decides the type from the bytes (API.md, "Attachments"); the page trusts
// only that `content_type`, never the file name.

/** The types the API serves inline (and the timeline shows as thumbnails). */
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export function isImageType(contentType) {
  return IMAGE_TYPES.has(contentType);
}

const ICONS = [
  [/^image\//, '🖼️'],
  [/^video\//, '🎞️'],
  [/^audio\//, '🎵'],
  [/^text\//, '📄'],
  [/pdf$/, '📕'],
  [/(zip|gzip|x-tar|x-7z|x-bzip2|x-xz)/, '🗜️'],
  [/(spreadsheet|excel|csv)/, '📊'],
  [/(word|opendocument\.text|rtf)/, '📝'],
];

/** An emoji standing for the kind of file (a generic document when nothing matches). */
export function fileIcon(contentType = '') {
  return ICONS.find(([pattern]) => pattern.test(contentType))?.[1] ?? '📎';
}

const UNITS = ['KB', 'MB', 'GB'];

/** "512 bytes", "1.5 KB", "12 MB": binary multiples, one decimal below 10. */
export function humanSize(bytes) {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Math.max(0, Math.round(bytes || 0))} bytes`;
  let value = bytes;
  let unit = -1;
  do {
    value /= 1024;
    unit += 1;
  } while (value >= 1024 && unit < UNITS.length - 1);
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}
