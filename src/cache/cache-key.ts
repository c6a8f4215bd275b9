import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The parts of a cache key that come from the request: its URL in one normal form, a hash of its body in a
 * canonical form, and a hash of the header values a stored answer varies on (laid out by cache-key-layout.ts).
 */

/**
 * The path and query in one normal form: parameters sorted by name (a name's values keep their order, which
 * can be meaningful), `+` read as a space, every name and value percent-encoded the same way — so `?b=2&a=1`
 * and `?a=1&b=2` are one entry. `|` never appears in the result (the key layout separates fields with it).
 */
export function normaliseUrl(path: string, query: string): string {
  const safePath = path.includes('|') ? path.replaceAll('|', '%7C') : path;
  if (query === '') return safePath;
  const pairs: [string, string][] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = decodeQueryPart(equals === -1 ? part : part.slice(0, equals));
    const value = equals === -1 ? '' : decodeQueryPart(part.slice(equals + 1));
    pairs.push([name, value]);
  }
  if (pairs.length === 0) return safePath;
  // A stable sort by name keeps each name's values in the order they were sent.
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const encoded = pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  return `${safePath}?${encoded.join('&')}`;
}

/** Splits a request URL (path and query, as received) and normalises it. */
export function normaliseRequestUrl(url: string): string {
  const queryAt = url.indexOf('?');
  return queryAt === -1 ? normaliseUrl(url, '') : normaliseUrl(url.slice(0, queryAt), url.slice(queryAt + 1));
}

function decodeQueryPart(text: string): string {
  const spaced = text.includes('+') ? text.replaceAll('+', ' ') : text;
  try {
    return decodeURIComponent(spaced);
  } catch {
    // Not valid percent-encoding: kept as sent, so it still keys consistently.
    return spaced;
  }
}

/** The hash of a request without a body. */
export const NO_BODY_HASH = 'none';

/**
 * SHA-256 (hex) of a request body. A JSON body is hashed in a canonical form — object keys sorted, no
 * insignificant whitespace — so that the same request written differently is one entry; any other body, or
 * JSON that does not parse, is hashed as its bytes.
 */
export function bodyHash(body: Buffer | undefined, json: boolean): string {
  if (body === undefined || body.length === 0) return NO_BODY_HASH;
  const hash = createHash('sha256');
  if (json) {
    const canonical = canonicalJson(body);
    if (canonical !== undefined) return hash.update('j').update(canonical).digest('hex');
  }
  return hash.update('b').update(body).digest('hex');
}

/** The canonical text of a JSON document, or undefined when the bytes are not JSON. */
export function canonicalJson(body: Buffer): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  return canonicalText(value);
}

function canonicalText(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalText).join(',')}]`;
  const record = value as Record<string, unknown>;
  const names = Object.keys(record).sort();
  return `{${names.map((name) => `${JSON.stringify(name)}:${canonicalText(record[name])}`).join(',')}}`;
}

/**
 * SHA-256 (hex) of the values a request has for the headers an answer varies on (lower-case names, sorted):
 * each value trimmed, repeated headers joined with `, `, an absent header distinct from an empty one.
 */
export function varyValuesHash(names: readonly string[], headers: IncomingHttpHeaders): string {
  const hash = createHash('sha256');
  for (const name of names) {
    const value = headers[name];
    const text = value === undefined ? '\u0000' : Array.isArray(value) ? value.join(', ') : value.trim();
    hash.update(name).update('\u0001').update(text).update('\u0002');
  }
  return hash.digest('hex');
}
