export { parseCacheControl, NO_DIRECTIVES } from './cache-control.js';
export type { CacheControl } from './cache-control.js';
export { freshness, planLookup, planStore } from './cache-policy.js';
export type {
  BypassReason,
  Freshness,
  LookupFacts,
  LookupPlan,
  NotStoredReason,
  StoreFacts,
  StorePlan,
} from './cache-policy.js';
export { notModified, notModifiedHeaders, validatorsOf } from './conditional.js';
export {
  collapsedSignal,
  conditionalHitSignal,
  forwardSignal,
  hitSignal,
  onlyIfCachedSignal,
  revalidatedSignal,
} from './cache-signals.js';
export type { CacheOutcome, CacheSignal, ForwardReason } from './cache-signals.js';
export { bodyHash, canonicalJson, normaliseRequestUrl, normaliseUrl, varyValuesHash } from './cache-key.js';
export { primaryKey, selectorGlob, selectorMatches, variantKey } from './cache-key-layout.js';
export { SHARED_SCOPE, bodyBytes, itemBytes } from './cached-response.js';
export type {
  CacheEntryOrigin,
  CacheItem,
  CachedResponse,
  StoredHeaders,
  VaryMarker,
} from './cached-response.js';
export { STORE_UNAVAILABLE } from './cache-store.js';
export type {
  CacheStore,
  CacheStoreCounters,
  CacheStoreStats,
  PurgeSelector,
  StoreRead,
} from './cache-store.js';
export { CachePurger } from './cache-purger.js';
export { createCacheStore } from './create-cache-store.js';
export type { CacheStoreOptions } from './create-cache-store.js';
export type { RedisCacheClient } from './redis-cache-store.js';
export { MAX_PURGE_URL_LENGTH, readPurgeSelector } from './purge-selector.js';
