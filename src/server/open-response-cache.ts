import { CachePurger, createCacheStore } from '../cache/index.js';
import type { CacheStore, RedisCacheClient } from '../cache/index.js';
import type { Config } from '../config/index.js';
import type { Clock, Logger } from '../core/index.js';
import { openCacheConnection, quitRedis } from '../redis/index.js';
import type { InvalidationBus } from '../tokens/index.js';
import type { ResourceStack } from './resource-stack.js';

/** What {@link openResponseCache} works with; everything but `parts` belongs to the caller. */
export interface ResponseCacheOptions {
  /**
   * The connection of the `redis` backend, owned by the caller. @default a connection of its own to
   * `config.cache.redisUrl`, closed through `parts`
   */
  readonly redis?: RedisCacheClient;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The bus that carries purges to the other instances and theirs to this one. */
  readonly invalidation: InvalidationBus;
  /** Where the parts opened here are registered to be closed. */
  readonly parts: ResourceStack;
}

/** The response cache of one gateway: its store and the purge of every instance's store. */
export interface ResponseCache {
  readonly store: CacheStore;
  readonly purger: CachePurger;
}

/**
 * Opens the response cache as `config.cache` says — undefined when caching is disabled: the store, a purger
 * that announces every purge on the invalidation bus, and the subscription that applies the purges other
 * instances announce to this instance's memory store.
 */
export async function openResponseCache(
  config: Config,
  options: ResponseCacheOptions,
): Promise<ResponseCache | undefined> {
  const { cache } = config;
  if (!cache.enabled) return undefined;
  const { logger, clock, invalidation, parts } = options;
  let store: CacheStore;
  if (cache.backend === 'memory') {
    store = createCacheStore({ type: 'memory', maxBytes: cache.maxBytes, clock });
  } else {
    const client = options.redis ?? (await ownConnection(cache.redisUrl, parts));
    store = createCacheStore({
      type: 'redis',
      client,
      logger,
      clock,
      keyPrefix: cache.redisKeyPrefix,
      timeoutMs: cache.redisTimeoutMs,
      scanCount: cache.redisScanCount,
    });
  }
  parts.add('response cache store', () => store.close());

  const purger = new CachePurger({
    store,
    announce: (selector) => {
      invalidation.publish({ type: 'cache-purged', selector });
    },
  });
  parts.add(
    'response cache purge subscription',
    invalidation.subscribe((event) => {
      // A bus that may have missed events says `resync`: a purge may have been among them, and serving an
      // answer an operator purged is worse than refilling a memory store.
      const selector =
        event.type === 'cache-purged' ? event.selector : event.type === 'resync' ? ALL : undefined;
      if (selector === undefined) return;
      purger.applyRemotePurge(selector).catch((error: unknown) => {
        logger.warn({ err: error }, 'applying a cache purge announced by another instance failed');
      });
    }),
  );
  return { store, purger };
}

const ALL = { kind: 'all' } as const;

/** The cache's own Redis connection, closed with the gateway. */
async function ownConnection(url: string | undefined, parts: ResourceStack): Promise<RedisCacheClient> {
  // The configuration refuses HTTP_CACHE_BACKEND=redis without any Redis URL; this is only a guard.
  if (url === undefined) throw new Error('HTTP_CACHE_BACKEND=redis needs REDIS_CACHE_URL or REDIS_URL');
  const connection = await openCacheConnection(url);
  parts.add('response cache redis', () => quitRedis(connection));
  return connection;
}
