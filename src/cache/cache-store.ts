import type { CacheItem } from './cached-response.js';

/** Returned by a store that cannot answer now (Redis down, slow past its timeout, or its circuit open). */
export const STORE_UNAVAILABLE: unique symbol = Symbol('cache store unavailable');

/** What a lookup gives: the item, nothing (a miss), or {@link STORE_UNAVAILABLE}. */
export type StoreRead = CacheItem | undefined | typeof STORE_UNAVAILABLE;

/**
 * What to purge (see cache-key-layout.ts for how each matches a key). `scope` narrows to one project; left
 * out, every project is purged.
 */
export type PurgeSelector =
  | { readonly kind: 'all' }
  | { readonly kind: 'scope'; readonly scope: string }
  /** Every variant (bodies and Vary included) of one method and normalised URL. */
  | { readonly kind: 'url'; readonly method: string; readonly url: string; readonly scope?: string }
  /** Every entry whose normalised URL starts with `prefix` (a path prefix such as `/v1/models`). */
  | { readonly kind: 'prefix'; readonly prefix: string; readonly scope?: string };

/** What a store holds now; Redis counts the keys under its prefix. */
export interface CacheStoreStats {
  readonly entries: number;
  readonly bytes: number;
}

/** Counters a store keeps itself, read by the metrics; each only grows. */
export interface CacheStoreCounters {
  /** Entries removed to make room (memory) — expiry is not an eviction. */
  readonly evictions: number;
  /** Expired entries the store removed itself, on a read or by its sweep (memory; Redis expires its own). */
  readonly expired: number;
  /**
   * Reads and writes that could not be made: failed, timed out, or answered at once by an open circuit
   * (Redis) — each is a request served without the cache.
   */
  readonly errors: number;
}

/**
 * Where cached answers live; one contract (test/cache/cache-store-contract.ts) for every implementation.
 * Keys are built by cache-key-layout.ts; a store adds its own prefix. Expired items are never returned.
 *
 * A store never throws or rejects from `get` or `set`: a failing store reads as {@link STORE_UNAVAILABLE}
 * and a write it could not make is dropped (both counted in `counters().errors` and logged once per
 * outage), so a request is always served, with or without the cache.
 */
export interface CacheStore {
  readonly backend: 'memory' | 'redis';
  /** Synchronous in memory; Redis settles within its timeout. */
  get(key: string): StoreRead | Promise<StoreRead>;
  /**
   * Stores the item until its `expiresAt`; resolves false when it was not stored (too large, already expired,
   * unavailable), and then what the key held before is left as it was.
   */
  set(key: string, item: CacheItem): boolean | Promise<boolean>;
  /** Deletes what the selector matches; resolves the number of keys deleted. Rejects when unavailable. */
  purge(selector: PurgeSelector): Promise<number>;
  stats(): CacheStoreStats | Promise<CacheStoreStats>;
  counters(): CacheStoreCounters;
  /** Releases timers; the Redis connection belongs to whoever opened it. */
  close(): Promise<void>;
}
