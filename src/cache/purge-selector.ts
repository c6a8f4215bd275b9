import { isWellFormedId } from '../core/index.js';
import type { PurgeSelector } from './cache-store.js';

/** Longest URL or prefix a purge names (a stored URL is a request target, bounded the same way). */
export const MAX_PURGE_URL_LENGTH = 4096;

/** An HTTP method token as cache keys store it: upper case. */
const METHOD = /^[A-Z]{1,16}$/;

/**
 * The selector a value describes, or undefined when it is not one — read from what another instance sent
 * (the invalidation bus), so every field is checked and nothing beyond the selector's own fields is kept.
 */
export function readPurgeSelector(value: unknown): PurgeSelector | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const fields = value as Record<string, unknown>;
  switch (fields.kind) {
    case 'all':
      return hasOnly(fields, ['kind']) ? { kind: 'all' } : undefined;
    case 'scope':
      return hasOnly(fields, ['kind', 'scope']) && isScope(fields.scope)
        ? { kind: 'scope', scope: fields.scope }
        : undefined;
    case 'url': {
      const { method, url, scope } = fields;
      if (!hasOnly(fields, ['kind', 'method', 'url', 'scope'])) return undefined;
      if (typeof method !== 'string' || !METHOD.test(method) || !isUrlText(url)) return undefined;
      if (scope === undefined) return { kind: 'url', method, url };
      return isScope(scope) ? { kind: 'url', method, url, scope } : undefined;
    }
    case 'prefix': {
      const { prefix, scope } = fields;
      if (!hasOnly(fields, ['kind', 'prefix', 'scope']) || !isUrlText(prefix)) return undefined;
      if (scope === undefined) return { kind: 'prefix', prefix };
      return isScope(scope) ? { kind: 'prefix', prefix, scope } : undefined;
    }
    default:
      return undefined;
  }
}

function hasOnly(fields: Record<string, unknown>, allowed: readonly string[]): boolean {
  return Object.keys(fields).every((name) => allowed.includes(name));
}

/** A project id or `shared`: the characters of a well-formed id, so never a key separator or glob. */
function isScope(value: unknown): value is string {
  return typeof value === 'string' && isWellFormedId(value);
}

/** A path (and query) as normalised URLs are: starts with `/`, printable, no key separator. */
function isUrlText(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.startsWith('/') &&
    value.length <= MAX_PURGE_URL_LENGTH &&
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    !/[\u0000-\u001f\u007f|]/.test(value)
  );
}
