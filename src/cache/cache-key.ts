import { isUtf8 } from 'node:buffer';
import { createHash, hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The parts of a cache key that come from the request: its URL in one normal form, a hash of its body in a
 * canonical form, and a hash of the header values a stored answer varies on (laid out by cache-key-layout.ts).
 */

/**
 * The path and query in one normal form: parameters sorted by name (a name's values keep their order, which
 * can be meaningful), `+` read as a space, every name and value percent-encoded the same way — so `?b=2&a=1`
 * and `?a=1&b=2` are one entry, and so are `?q=a+b` and `?q=a%20b`. A part that is not valid percent-encoded
 * UTF-8 (`%zz`, `%FF`) keeps its escapes as sent, so it never shares an entry with the valid text it resembles
 * (`%25zz`, `%25FF`). `|` never appears in the result (the key layout separates fields with it).
 */
export function normaliseUrl(path: string, query: string): string {
  const safePath = path.includes('|') ? path.replaceAll('|', '%7C') : path;
  if (query === '') return safePath;
  const pairs: [string, string][] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = canonicalQueryPart(equals === -1 ? part : part.slice(0, equals));
    const value = equals === -1 ? '' : canonicalQueryPart(part.slice(equals + 1));
    pairs.push([name, value]);
  }
  if (pairs.length === 0) return safePath;
  // A stable sort by name keeps each name's values in the order they were sent.
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `${safePath}?${pairs.map(([name, value]) => `${name}=${value}`).join('&')}`;
}

/** Splits a request URL (path and query, as received) and normalises it. */
export function normaliseRequestUrl(url: string): string {
  const queryAt = url.indexOf('?');
  return queryAt === -1 ? normaliseUrl(url, '') : normaliseUrl(url.slice(0, queryAt), url.slice(queryAt + 1));
}

/** A query name or value, decoded and encoded again by encodeURIComponent; as sent when it does not decode. */
function canonicalQueryPart(text: string): string {
  const spaced = text.includes('+') ? text.replaceAll('+', ' ') : text;
  try {
    return encodeURIComponent(decodeURIComponent(spaced));
  } catch {
    return escapeUndecodable(spaced);
  }
}

/**
 * An undecodable part with its `%` escapes kept and every other character escaped: `%XX` below 0x80, `%uXXXX`
 * above. The result still holds the invalid escape that made decoding fail (or a `%u`, which no valid escape
 * has), so it cannot equal the canonical form of any decodable part — distinct requests keep distinct keys.
 */
function escapeUndecodable(text: string): string {
  let escaped = '';
  for (let at = 0; at < text.length; at += 1) {
    const code = text.charCodeAt(at);
    if (code === 0x25 || isUnreserved(code)) escaped += text[at] ?? '';
    else if (code < 0x80) escaped += `%${code.toString(16).toUpperCase().padStart(2, '0')}`;
    else escaped += `%u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return escaped;
}

/** What encodeURIComponent leaves as it is: `A-Z a-z 0-9 - _ . ! ~ * ' ( )`. */
function isUnreserved(code: number): boolean {
  return (
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x2d ||
    code === 0x5f ||
    code === 0x2e ||
    code === 0x21 ||
    code === 0x7e ||
    code === 0x2a ||
    code === 0x27 ||
    code === 0x28 ||
    code === 0x29
  );
}

/** The hash of a request without a body. */
export const NO_BODY_HASH = 'none';

/**
 * SHA-256 (hex) of a request body. A JSON body is hashed in a canonical form — object keys sorted, no
 * insignificant whitespace, strings and numbers written one way (see {@link canonicalJson}) — so that the same
 * request written differently is one entry; any other body, or JSON without a faithful canonical form, is
 * hashed as its bytes.
 */
export function bodyHash(body: Buffer | undefined, json: boolean): string {
  if (body === undefined || body.length === 0) return NO_BODY_HASH;
  if (!json) return bytesHash(body);
  // Hashing the bytes costs a fraction of parsing and canonicalising them: a body seen before (every hit, and
  // every client resending one request) is looked up by the hash of its bytes instead.
  // One-shot hashing: a third of the cost of a Hash object for a body of a few hundred bytes.
  const seen = hash('sha256', body, 'base64');
  const known = CANONICAL_BY_BYTES.get(seen);
  if (known !== undefined) return known;
  const canonical = canonicalJson(body);
  const digest = canonical === undefined ? bytesHash(body) : hash('sha256', `j${canonical}`, 'hex');
  if (CANONICAL_BY_BYTES.size >= MAX_REMEMBERED_BODIES) CANONICAL_BY_BYTES.clear();
  CANONICAL_BY_BYTES.set(seen, digest);
  return digest;
}

/** Body hashes of recent JSON bodies by the SHA-256 of their bytes (a memo: the result is the same either way). */
const CANONICAL_BY_BYTES = new Map<string, string>();
/** Bounds the memo at about 2 MB; when full it starts again rather than track what is least recent. */
const MAX_REMEMBERED_BODIES = 10_000;

function bytesHash(body: Buffer): string {
  return createHash('sha256').update('b').update(body).digest('hex');
}

/**
 * The canonical text of a JSON document, or undefined when the bytes are not JSON or no canonical form keeps
 * every distinct document distinct. What is one document here: key order and whitespace; a duplicate key
 * (the last one counts, as in JSON.parse and most servers); `"\u00e9"` and `"é"`; numbers of equal value
 * (`1`, `1.0`, `1e0`; `0` and `-0`). What is left to the bytes: invalid UTF-8 (decoding would merge different
 * bytes into U+FFFD), a number a double cannot hold exactly enough to keep apart from its neighbours (more than
 * 15 significant digits, or out of the normal double range: `1e400` would read as `null`), and nesting too
 * deep to walk.
 */
export function canonicalJson(body: Buffer): string | undefined {
  if (!isUtf8(body)) return undefined;
  const text = body.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!numbersAreFaithful(text)) return undefined;
  try {
    return canonicalText(value);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

function canonicalText(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalText).join(',')}]`;
  const record = value as Record<string, unknown>;
  const names = Object.keys(record).sort();
  return `{${names.map((name) => `${JSON.stringify(name)}:${canonicalText(record[name])}`).join(',')}}`;
}

/** The smallest positive normal double: below it precision falls away (subnormals), down to 0. */
const MIN_NORMAL = 2.2250738585072014e-308;
/** Distinct decimals of up to 15 significant digits are distinct doubles (DBL_DIG) in the normal range. */
const MAX_FAITHFUL_DIGITS = 15;

/**
 * Whether every number of a valid JSON text reads as a double that no other number literal shares. Walks the
 * text outside its strings (skipped with indexOf, so long string contents cost little).
 */
function numbersAreFaithful(text: string): boolean {
  const length = text.length;
  let at = 0;
  while (at < length) {
    const code = text.charCodeAt(at);
    if (code === 0x22) {
      at = stringEnd(text, at);
    } else if (code === 0x2d || (code >= 0x30 && code <= 0x39)) {
      let end = at + 1;
      while (end < length && isNumberChar(text.charCodeAt(end))) end += 1;
      if (!numberIsFaithful(text, at, end)) return false;
      at = end;
    } else {
      at += 1;
    }
  }
  return true;
}

/** The index after the closing quote of the string opening at `open` (the text is valid JSON). */
function stringEnd(text: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const close = text.indexOf('"', from);
    if (close === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(close - 1 - backslashes) === 0x5c) backslashes += 1;
    if (backslashes % 2 === 0) return close + 1;
    from = close + 1;
  }
}

function isNumberChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    code === 0x2e ||
    code === 0x65 ||
    code === 0x45 ||
    code === 0x2b ||
    code === 0x2d
  );
}

/** Whether the number literal `text[start, end)` has at most 15 significant digits and a normal magnitude. */
function numberIsFaithful(text: string, start: number, end: number): boolean {
  let first = -1;
  let last = -1;
  let digits = 0;
  let exponent = false;
  for (let at = start; at < end; at += 1) {
    const code = text.charCodeAt(at);
    if (code === 0x65 || code === 0x45) {
      exponent = true;
      break;
    }
    if (code < 0x30 || code > 0x39) continue;
    if (code !== 0x30) {
      if (first === -1) first = digits;
      last = digits;
    }
    digits += 1;
  }
  if (first === -1) return true; // zero, however written
  if (last - first + 1 > MAX_FAITHFUL_DIGITS) return false;
  // Without an exponent, a literal this short cannot leave the normal range (1e-300 .. 1e300).
  if (!exponent && end - start < 300) return true;
  const magnitude = Math.abs(Number(text.slice(start, end)));
  return Number.isFinite(magnitude) && magnitude >= MIN_NORMAL;
}

/**
 * SHA-256 (hex) of the values a request has for the headers an answer varies on (lower-case names, sorted):
 * each value trimmed, repeated headers joined with `, `, an absent header distinct from an empty one.
 */
export function varyValuesHash(names: readonly string[], headers: IncomingHttpHeaders): string {
  const hash = createHash('sha256');
  for (const name of names) {
    const value = headers[name];
    const text =
      value === undefined
        ? '\u0000'
        : Array.isArray(value)
          ? value.map((part) => part.trim()).join(', ')
          : value.trim();
    hash.update(name).update('\u0001').update(text).update('\u0002');
  }
  return hash.digest('hex');
}
