import type { IncomingHttpHeaders } from 'node:http';

import type { StoredHeaders } from './cached-response.js';

/**
 * Conditional requests answered from a stored response (RFC 9110 §13): the client already holds what the cache
 * holds, so a 304 without a body is enough.
 */

/** What a 304 carries over from the stored answer (RFC 9110 §15.4.5); `date` is set by Node. */
const NOT_MODIFIED_HEADERS = [
  'cache-control',
  'content-location',
  'etag',
  'expires',
  'last-modified',
  'vary',
] as const;

const COMMA = 0x2c;
const QUOTE = 0x22;

const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
const MONTH_INDEX = new Map(MONTHS.split('|').map((name, index) => [name.toLowerCase(), index]));
/** `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110 §5.6.7, the one to send). */
const IMF_FIXDATE = new RegExp(
  `^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) (${MONTHS}) (\\d{4}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$`,
  'i',
);
/** `Sunday, 06-Nov-94 08:49:37 GMT` (obsolete RFC 850 form, still to be accepted). */
const RFC_850_DATE = new RegExp(
  `^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-(${MONTHS})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$`,
  'i',
);
/** `Sun Nov  6 08:49:37 1994` (obsolete asctime form, GMT implied). */
const ASCTIME_DATE = new RegExp(
  `^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (${MONTHS}) ( \\d|\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}) (\\d{4})$`,
  'i',
);

/**
 * Whether a GET or HEAD's preconditions are met by the stored answer, so it is answered 304: `If-None-Match`
 * (weak comparison, `*`, lists) when present; only without it, `If-Modified-Since` (the stored `Last-Modified`
 * no later than that HTTP-date). False when the request has neither, or a validator is missing or unparsable.
 */
export function notModified(requestHeaders: IncomingHttpHeaders, stored: StoredHeaders): boolean {
  const ifNoneMatch = requestHeaders['if-none-match'];
  if (ifNoneMatch !== undefined) return etagListMatches(ifNoneMatch, first(stored.etag));
  const ifModifiedSince = requestHeaders['if-modified-since'];
  if (ifModifiedSince === undefined) return false;
  const lastModified = first(stored['last-modified']);
  if (lastModified === undefined) return false;
  const since = parseHttpDate(ifModifiedSince);
  const modified = parseHttpDate(lastModified);
  if (since === undefined || modified === undefined) return false;
  return modified <= since;
}

/** The headers a 304 carries from the stored answer (RFC 9110 §15.4.5). */
export function notModifiedHeaders(stored: StoredHeaders): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const name of NOT_MODIFIED_HEADERS) {
    const value = stored[name];
    if (value !== undefined) headers[name] = typeof value === 'string' ? value : [...value];
  }
  return headers;
}

/** The validators of a stored answer, for revalidating it upstream; undefined fields when it has none. */
export function validatorsOf(stored: StoredHeaders): {
  readonly etag: string | undefined;
  readonly lastModified: string | undefined;
} {
  return { etag: first(stored.etag), lastModified: first(stored['last-modified']) };
}

/**
 * An HTTP-date (RFC 9110 §5.6.7) in any of its three forms, as epoch ms; undefined for anything else — a
 * recipient ignores an `If-Modified-Since` that is not one (§13.1.3). Always GMT, whatever the process's time
 * zone (`Date.parse` would read asctime as local time). A two-digit RFC 850 year is 19yy from 70 on, else 20yy.
 */
export function parseHttpDate(text: string): number | undefined {
  const value = text.trim();
  let match = IMF_FIXDATE.exec(value);
  if (match !== null) {
    return utc(
      Number(match[3]),
      match[2],
      Number(match[1]),
      Number(match[4]),
      Number(match[5]),
      Number(match[6]),
    );
  }
  match = RFC_850_DATE.exec(value);
  if (match !== null) {
    const shortYear = Number(match[3]);
    const year = shortYear >= 70 ? 1900 + shortYear : 2000 + shortYear;
    return utc(year, match[2], Number(match[1]), Number(match[4]), Number(match[5]), Number(match[6]));
  }
  match = ASCTIME_DATE.exec(value);
  if (match !== null) {
    return utc(
      Number(match[6]),
      match[1],
      Number(match[2]),
      Number(match[3]),
      Number(match[4]),
      Number(match[5]),
    );
  }
  return undefined;
}

function utc(
  year: number,
  monthName: string | undefined,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number | undefined {
  const month = MONTH_INDEX.get((monthName ?? '').toLowerCase());
  if (month === undefined || hour > 23 || minute > 59 || second > 60) return undefined;
  // A leap second reads as the last second of its minute.
  const time = Date.UTC(year, month, day, hour, minute, Math.min(second, 59));
  // Date.UTC rolls 31 Feb over into March: such a date is not one.
  return new Date(time).getUTCDate() === day ? time : undefined;
}

function first(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}

/**
 * `If-None-Match` against one entity tag, by weak comparison (RFC 9110 §8.8.3.2: `W/` ignored on both sides).
 * `*` matches any stored answer. Entity tags are read as quoted strings, since a comma may appear inside one;
 * an unquoted member is taken up to the next comma, as lenient clients send them.
 */
function etagListMatches(list: string, etag: string | undefined): boolean {
  const trimmed = list.trim();
  if (trimmed === '*') return true;
  if (etag === undefined) return false;
  const wanted = opaqueTag(etag.trim());
  const length = list.length;
  let at = 0;
  while (at < length) {
    while (at < length && (list.charCodeAt(at) === COMMA || isSpace(list.charCodeAt(at)))) at += 1;
    if (at >= length) break;
    if (list.startsWith('W/', at)) at += 2;
    let tag: string;
    if (list.charCodeAt(at) === QUOTE) {
      const close = list.indexOf('"', at + 1);
      const end = close === -1 ? length : close + 1;
      tag = list.slice(at, end);
      at = end;
    } else {
      const comma = list.indexOf(',', at);
      const end = comma === -1 ? length : comma;
      tag = list.slice(at, end).trim();
      at = end;
    }
    if (tag === '*' || opaqueTag(tag) === wanted) return true;
  }
  return false;
}

/** The opaque tag without its weakness prefix and quotes, so `W/"a"`, `"a"` and a bare `a` compare equal. */
function opaqueTag(tag: string): string {
  const strong = tag.startsWith('W/') ? tag.slice(2) : tag;
  if (
    strong.length >= 2 &&
    strong.charCodeAt(0) === QUOTE &&
    strong.charCodeAt(strong.length - 1) === QUOTE
  ) {
    return strong.slice(1, -1);
  }
  return strong;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09;
}
