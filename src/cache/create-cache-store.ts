import type { CacheStore } from './cache-store.js';
import { MemoryCacheStore } from './memory-cache-store.js';
import type { MemoryCacheStoreOptions } from './memory-cache-store.js';
import { RedisCacheStore } from './redis-cache-store.js';
import type { RedisCacheStoreOptions } from './redis-cache-store.js';

/** Which store to build (`config.cache.backend`) and its options. */
export type CacheStoreOptions =
  | ({ readonly type: 'memory' } & MemoryCacheStoreOptions)
  | ({ readonly type: 'redis' } & RedisCacheStoreOptions);

/** Builds the response cache's store. */
export function createCacheStore(options: CacheStoreOptions): CacheStore {
  switch (options.type) {
    case 'memory':
      return new MemoryCacheStore(options);
    case 'redis':
      return new RedisCacheStore(options);
    default:
      return unknownType(options);
  }
}

function unknownType(options: never): never {
  throw new Error(`unknown cache store type: ${String((options as { type: unknown }).type)}`);
}
