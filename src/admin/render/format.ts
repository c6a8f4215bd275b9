import { html } from './html.js';
import type { SafeHtml } from './html.js';

/** How `admin.js` renders a timestamp in the browser's time zone. */
export type TimeFormat = 'datetime' | 'date' | 'relative';

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
  const text = format === 'date' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
  return html`<time
    datetime="${iso}"
    data-local-time="true"
    data-ts="${iso}"
    data-format="${format}"
    title="${iso}"
    >${text}</time
  >`;
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
