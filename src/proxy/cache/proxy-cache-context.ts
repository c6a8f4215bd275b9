import type { CacheStore } from '../../cache/index.js';
import type { Logger } from '../../core/index.js';
import type { Flight } from './flight.js';

/** What the response cache of one gateway is built from (HTTP_CACHE_* settings). */
export interface ProxyCacheOptions {
  readonly store: CacheStore;
  /** Entries are shared between projects (HTTP_CACHE_SHARED). */
  readonly shared: boolean;
  readonly streamResponses: boolean;
  readonly defaultTtlMs: number;
  readonly maxObjectBytes: number;
  /** Epoch milliseconds now. @default Date.now */
  readonly now?: () => number;
  readonly logger: Logger;
  /** Counts a request answered by the cache (a hit or a collapsed request) in its token's `cache_hit_count`. */
  readonly countHit: (tokenId: string) => void;
}

/** What every lookup and flight of one gateway shares. */
export interface ProxyCacheContext {
  readonly store: CacheStore;
  readonly shared: boolean;
  readonly streamResponses: boolean;
  readonly defaultTtlMs: number;
  readonly maxObjectBytes: number;
  readonly now: () => number;
  readonly logger: Logger;
  readonly countHit: (tokenId: string) => void;
  /** The answers on their way from the upstream that identical requests may share, by cache key. */
  readonly flights: Map<string, Flight>;
}

/** The shared context of a gateway's cache. */
export function proxyCacheContext(options: ProxyCacheOptions): ProxyCacheContext {
  return {
    store: options.store,
    shared: options.shared,
    streamResponses: options.streamResponses,
    defaultTtlMs: options.defaultTtlMs,
    maxObjectBytes: options.maxObjectBytes,
    now: options.now ?? Date.now,
    logger: options.logger,
    countHit: options.countHit,
    flights: new Map(),
  };
}
