import { html } from './html.js';
import type { SafeHtml } from './html.js';

/**
 * How `admin.js` renders a timestamp in the browser's time zone: the locale's medium date and time, its date,
 * a relative time ("3 hours ago"), or one of the original program's formats — `ymd_hm` (`2025-03-01 15:04`),
 * `ymd_hms`, `ymd_hms_tz` (with the zone's name), `long` ("March 1, 2025 at 3:04 PM") and `date_only`.
 */
export type TimeFormat =
  'datetime' | 'date' | 'relative' | 'ymd_hm' | 'ymd_hms' | 'ymd_hms_tz' | 'long' | 'date_only';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/**
 * A timestamp as every page shows it: UTC text that works without scripts, the instant in `datetime` and
 * `data-ts` for `admin.js` to localise, and UTC in the title. `null` renders the fallback text.
 */
export function timestamp(
  value: string | null | undefined,
  fallback = 'Never',
  format: TimeFormat = 'datetime',
): SafeHtml {
  if (value === null || value === undefined || value === '')
    return html`<span class="text-muted">${fallback}</span>`;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return html`${value}`;
  const iso = date.toISOString();
  return html`<time
    datetime="${iso}"
    data-local-time="true"
    data-ts="${iso}"
    data-format="${format}"
    title="${iso}"
    >${utcText(date, format)}</time
  >`;
}

/** What a timestamp reads before the script localises it (or without scripts): the format, in UTC. */
function utcText(date: Date, format: TimeFormat): string {
  const iso = date.toISOString();
  const day = iso.slice(0, 10);
  switch (format) {
    case 'date':
    case 'date_only':
      return day;
    case 'ymd_hm':
      return `${day} ${iso.slice(11, 16)} UTC`;
    case 'long': {
      const hours = date.getUTCHours();
      const clock = `${String(hours % 12 || 12)}:${iso.slice(14, 16)} ${hours < 12 ? 'AM' : 'PM'}`;
      const month = MONTHS[date.getUTCMonth()] ?? '';
      return `${month} ${String(date.getUTCDate())}, ${String(date.getUTCFullYear())} at ${clock} UTC`;
    }
    default:
      return `${day} ${iso.slice(11, 19)} UTC`;
  }
}

/** A whole number with thousands separators (en-US, as the server cannot know the browser's locale). */
export function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** US dollars of an estimated cost. */
export function usd(value: number): string {
  return `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: value < 1 ? 4 : 2 })}`;
}

/** A Bootstrap badge; `tone` is one of Bootstrap's contextual colours. */
export function badge(
  text: string,
  tone: 'success' | 'secondary' | 'danger' | 'warning' | 'info' | 'dark',
): SafeHtml {
  const dark = tone === 'warning' || tone === 'info' ? ' text-dark' : '';
  return html`<span class="badge bg-${tone}${dark}">${text}</span>`;
}
