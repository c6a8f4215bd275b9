import type { CacheEntryOrigin } from './cached-response.js';
import type { PurgeSelector } from './cache-store.js';

/**
 * How cache keys are written, so that a purge can select them by scope, method and URL without reading any
 * entry:
 *
 *     <scope>|<METHOD>|<normalised url>|<body hash>            the primary key of a request
 *     <scope>|<METHOD>|<normalised url>|<body hash>|v=<hash>   one variant, when the answer had a Vary
 *
 * The URL never contains `|` (cache-key.ts percent-encodes it), the scope is a project id or `shared`, and the
 * hashes are hex: so `|` separates exactly these fields, and a Redis `SCAN MATCH` pattern can select on them.
 */
export const KEY_SEPARATOR = '|';

/** The primary key of a request with this origin and body hash (hex). */
export function primaryKey(origin: CacheEntryOrigin, bodyHash: string): string {
  return `${origin.scope}|${origin.method}|${origin.url}|${bodyHash}`;
}

/** The key of one variant of a primary key (`valuesHash`: hex hash of the varied header values). */
export function variantKey(primary: string, valuesHash: string): string {
  return `${primary}|v=${valuesHash}`;
}

/** The scope, method and URL a key was written with; undefined for a key not laid out this way. */
export function keyFields(key: string): { scope: string; method: string; url: string } | undefined {
  const first = key.indexOf(KEY_SEPARATOR);
  const second = first === -1 ? -1 : key.indexOf(KEY_SEPARATOR, first + 1);
  const third = second === -1 ? -1 : key.indexOf(KEY_SEPARATOR, second + 1);
  if (third === -1) return undefined;
  return {
    scope: key.slice(0, first),
    method: key.slice(first + 1, second),
    url: key.slice(second + 1, third),
  };
}

/** Whether the selector matches a key (what the memory store purges by). */
export function selectorMatches(selector: PurgeSelector, key: string): boolean {
  if (selector.kind === 'all') return true;
  const fields = keyFields(key);
  if (fields === undefined) return false;
  switch (selector.kind) {
    case 'scope':
      return fields.scope === selector.scope;
    case 'url':
      return (
        (selector.scope === undefined || fields.scope === selector.scope) &&
        fields.method === selector.method &&
        fields.url === selector.url
      );
    case 'prefix':
      return (
        (selector.scope === undefined || fields.scope === selector.scope) &&
        fields.url.startsWith(selector.prefix)
      );
  }
}

/**
 * The Redis `SCAN MATCH` glob (without the store's prefix) of the keys a selector matches. It selects exactly
 * what {@link selectorMatches} does for every selector but one: a `prefix` that does not start with `/` (URLs
 * do) can also match inside the body hash or the variant after the URL, since `*` spans `|`. A store that scans
 * by this glob therefore deletes only the keys that {@link selectorMatches} accepts.
 */
export function selectorGlob(selector: PurgeSelector): string {
  switch (selector.kind) {
    case 'all':
      return '*';
    case 'scope':
      return `${escapeGlob(selector.scope)}|*`;
    case 'url':
      return `${scopeGlob(selector.scope)}|${escapeGlob(selector.method)}|${escapeGlob(selector.url)}|*`;
    case 'prefix':
      return `${scopeGlob(selector.scope)}|*|${escapeGlob(selector.prefix)}*`;
  }
}

function scopeGlob(scope: string | undefined): string {
  return scope === undefined ? '*' : escapeGlob(scope);
}

/** Escapes Redis glob metacharacters (`* ? [ ] \`) so that they match themselves. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
}
