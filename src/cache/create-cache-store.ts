import type { CacheStore } from './cache-store.js';
import { MemoryCacheStore } from './memory-cache-store.js';
import type { MemoryCacheStoreOptions } from './memory-cache-store.js';

/** Which store to build (`config.cache.backend`) and its options. */
export type CacheStoreOptions = { readonly type: 'memory' } & MemoryCacheStoreOptions;

/** Builds the response cache's store. */
export function createCacheStore(options: CacheStoreOptions): CacheStore {
  return new MemoryCacheStore(options);
}
