// Dates and previews, always in the viewer's own time zone and locale.

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const shortDateFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const shortDateWithYearFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
const longDayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long' });
const longDayWithYearFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });

const PREVIEW_LENGTH = 140;

/** Parses an RFC 3339 timestamp; null when absent or invalid. */
export function parseTime(value) {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A key naming the local calendar day, to group messages by day. */
export function dayKey(date) {
  return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
}

function isSameDay(a, b) {
  return dayKey(a) === dayKey(b);
}

function yesterdayOf(now) {
  const date = new Date(now);
  date.setDate(date.getDate() - 1);
  return date;
}

/** The list's timestamp: "now" / "5 min" / "14:05" today, "Yesterday", else a short date. */
export function formatListTime(date, now = new Date()) {
  if (isSameDay(date, now)) {
    const minutes = Math.floor((now - date) / 60000);
    if (minutes < 1) return 'now';
    if (minutes < 60) return `${minutes} min`;
    return timeFormat.format(date);
  }
  if (isSameDay(date, yesterdayOf(now))) return 'Yesterday';
  return date.getFullYear() === now.getFullYear() ? shortDateFormat.format(date) : shortDateWithYearFormat.format(date);
}

/** The separator between days in a conversation: "Today", "Yesterday", or the full day. */
export function formatDaySeparator(date, now = new Date()) {
  if (isSameDay(date, now)) return 'Today';
  if (isSameDay(date, yesterdayOf(now))) return 'Yesterday';
  return date.getFullYear() === now.getFullYear() ? longDayFormat.format(date) : longDayWithYearFormat.format(date);
}

/** The time under a message bubble. */
export function formatMessageTime(date) {
  return timeFormat.format(date);
}

/** The full date and time, for tooltips. */
export function formatFullTime(date) {
  return fullFormat.format(date);
}

/** The list preview the API would make: white space folded, first 140 characters. */
export function previewOf(body) {
  const folded = String(body).replace(/\s+/g, ' ').trim();
  return Array.from(folded).slice(0, PREVIEW_LENGTH).join('');
}

/** Counts Unicode scalar values, as the API's 4,000 limit does. */
export function scalarLength(text) {
  return Array.from(text).length;
}
