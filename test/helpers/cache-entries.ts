import { primaryKey, variantKey } from '../../src/cache/cache-key-layout.js';
import type { CacheStore } from '../../src/cache/cache-store.js';
import type { CacheEntryOrigin, CachedResponse } from '../../src/cache/cached-response.js';

/** What one stored entry is made of; `variant` adds a Vary marker under the primary key and stores the answer under a variant key. */
export interface TestEntry {
  readonly scope: string;
  readonly method: string;
  /** The normalised URL, as the cache key holds it. */
  readonly url: string;
  /** @default 'none' */
  readonly bodyHash?: string;
  /** Hash of the varied header values; set, the entry is stored as a variant behind a Vary marker. */
  readonly variant?: string;
}

/**
 * Writes entries straight into a store, laid out as the proxy lays them out (cache-key-layout.ts), and
 * returns the keys written — for tests of what a purge selects.
 */
export async function storeEntries(
  store: CacheStore,
  entries: readonly TestEntry[],
  now = Date.now(),
): Promise<string[]> {
  const keys: string[] = [];
  for (const entry of entries) {
    const origin: CacheEntryOrigin = {
      scope: entry.scope,
      provider: 'openai',
      method: entry.method,
      url: entry.url,
    };
    const primary = primaryKey(origin, entry.bodyHash ?? 'none');
    const expiresAt = now + 600_000;
    const response: CachedResponse = {
      kind: 'response',
      status: 200,
      headers: { 'content-type': 'application/json' },
      chunks: [Buffer.from(`{"url":${JSON.stringify(entry.url)}}`)],
      storedAt: now,
      expiresAt,
      origin,
    };
    if (entry.variant === undefined) {
      keys.push(primary);
      if (!(await store.set(primary, response))) throw new Error(`not stored: ${primary}`);
      continue;
    }
    const variant = variantKey(primary, entry.variant);
    if (!(await store.set(primary, { kind: 'vary', headers: ['accept'], expiresAt, origin }))) {
      throw new Error(`not stored: ${primary}`);
    }
    if (!(await store.set(variant, response))) throw new Error(`not stored: ${variant}`);
    keys.push(primary, variant);
  }
  return keys;
}

/** The keys of `keys` a store still answers for. */
export async function keysHeld(store: CacheStore, keys: readonly string[]): Promise<string[]> {
  const held: string[] = [];
  for (const key of keys) {
    const item = await store.get(key);
    if (item !== undefined && typeof item === 'object') held.push(key);
  }
  return held;
}
