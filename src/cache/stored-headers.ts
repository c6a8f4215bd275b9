import type { StoredHeaders } from './cached-response.js';

/**
 * Which of an upstream answer's headers are kept with a cache entry. What is left out belongs to one exchange
 * (cookies, dates, request ids, timings, the proxy's own and CORS headers, hop-by-hop fields): a hit gets fresh
 * ones from the request it answers, never the first client's.
 */

/** Header names never stored (lower-case). */
const DROPPED = new Set([
  'set-cookie',
  'set-cookie2',
  'date',
  'age',
  'x-request-id',
  'x-proxy',
  'cache-status',
  // Hop-by-hop (RFC 9110 §7.6.1), in case the relay left one in.
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'trailer',
  'te',
]);

const NO_VARY: readonly string[] = Object.freeze([]);

/** Prefixes of header names never stored: `x-proxy-*` covers `x-proxy-cache*` and the proxy's timings. */
const DROPPED_PREFIXES = ['x-proxy-', 'x-upstream-request-', 'access-control-', 'proxy-'] as const;

/** Whether a (lower-case) response header name is one a cache entry never keeps. */
export function isUnstoredHeader(name: string): boolean {
  if (DROPPED.has(name)) return true;
  for (const prefix of DROPPED_PREFIXES) if (name.startsWith(prefix)) return true;
  return false;
}

/**
 * The headers to store with an answer: every other header byte for byte, except that when the TTL was forced
 * (by the client or the project) `cache-control` becomes `public, max-age=<ttl>` so a hit tells its client the
 * lifetime it was given. Names listed in the answer's `Connection` are left out as well (RFC 9110 §7.6.1).
 */
export function storedHeaders(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
  forcedTtlSeconds: number | undefined,
): StoredHeaders {
  const connectionNames = connectionOptions(headers.connection);
  const kept: Record<string, string | readonly string[]> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined || isUnstoredHeader(name)) continue;
    if (connectionNames !== undefined && connectionNames.has(name)) continue;
    kept[name] = typeof value === 'string' ? value : [...value];
  }
  if (forcedTtlSeconds !== undefined) kept['cache-control'] = `public, max-age=${forcedTtlSeconds}`;
  return kept;
}

function connectionOptions(value: string | readonly string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  const names = new Set<string>();
  for (const line of typeof value === 'string' ? [value] : value) {
    for (const part of line.split(',')) {
      const name = part.trim().toLowerCase();
      if (name !== '') names.add(name);
    }
  }
  return names;
}

/**
 * The request header names an answer varies on: lower-case, sorted, deduplicated; `'*'` when it varies on
 * something the request cannot express (RFC 9110 §12.5.5), which no cache can match.
 */
export function varyNames(value: string | readonly string[] | undefined): readonly string[] | '*' {
  if (value === undefined) return NO_VARY;
  const names = new Set<string>();
  for (const line of typeof value === 'string' ? [value] : value) {
    for (const part of line.split(',')) {
      const name = part.trim().toLowerCase();
      if (name === '*') return '*';
      if (name !== '') names.add(name);
    }
  }
  return names.size === 0 ? NO_VARY : [...names].sort();
}
