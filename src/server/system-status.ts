import type { CacheStore } from '../cache/index.js';
import type { Config } from '../config/index.js';
import { VERSION } from '../core/index.js';
import type { Clock } from '../core/index.js';
import type { EventPublisher, RunningDispatcher } from '../events/index.js';
import type { SystemStatusSource, SystemStatusView } from '../manage/index.js';
import type { ProxyMetrics } from '../metrics/index.js';
import type { Store } from '../store/index.js';

/** What {@link systemStatus} reads. */
export interface SystemStatusParts {
  readonly config: Config;
  readonly clock: Clock;
  readonly store: Store;
  readonly metrics: ProxyMetrics;
  readonly cacheStore: CacheStore | undefined;
  readonly publisher: EventPublisher | undefined;
  readonly dispatchers: readonly RunningDispatcher[];
}

/** The source of `GET /manage/status`: this instance's figures, read from memory when asked. */
export function systemStatus(parts: SystemStatusParts): SystemStatusSource {
  return async function readSystemStatus(): Promise<SystemStatusView> {
    const now = parts.clock.now();
    const [projects, tokens] = await Promise.all([
      parts.store.projects.list(),
      parts.store.tokens.countByStatus(now),
    ]);
    const metrics = parts.metrics.snapshot();
    const store = parts.cacheStore;
    const size = store === undefined ? { entries: 0, bytes: 0 } : await store.stats();
    const counters = store?.counters() ?? { evictions: 0, expired: 0, errors: 0 };
    const lookups = metrics.cache_hits + metrics.cache_misses;
    const publisher = parts.publisher?.stats() ?? { published: 0, dropped: 0, spooled: 0 };
    const dispatchers = await Promise.all(
      parts.dispatchers.map(async ({ dispatcher }) => {
        const snapshot = await dispatcher.snapshot();
        return {
          sink: snapshot.sink,
          delivered: snapshot.delivered,
          failed: snapshot.failed,
          retried: snapshot.retried,
          dead_lettered: snapshot.deadLettered,
          buffered: snapshot.buffered,
          lag: snapshot.lag,
          last_delivery_at: isoOrNull(snapshot.lastDeliveryAt),
          failing_since: isoOrNull(snapshot.failingSince),
        };
      }),
    );
    return {
      version: VERSION,
      time: now.toISOString(),
      uptime_seconds: metrics.uptime_seconds,
      database: { dialect: parts.store.dialect },
      requests: { total: metrics.request_count, errors: metrics.error_count, in_flight: metrics.in_flight },
      projects: { total: projects.length, active: projects.filter((project) => project.isActive).length },
      tokens,
      cache: {
        enabled: store !== undefined,
        backend: store === undefined ? null : parts.config.cache.backend,
        entries: size.entries,
        bytes: size.bytes,
        hits: metrics.cache_hits,
        misses: metrics.cache_misses,
        bypass: metrics.cache_bypass,
        stores: metrics.cache_stores,
        hit_ratio: lookups === 0 ? null : metrics.cache_hits / lookups,
        evictions: counters.evictions,
        expired: counters.expired,
        store_errors: counters.errors,
      },
      events: {
        enabled: parts.publisher !== undefined,
        bus: parts.publisher === undefined ? null : parts.config.events.bus,
        published: publisher.published,
        dropped: publisher.dropped,
        spooled: publisher.spooled,
        dispatchers,
      },
    };
  };
}

function isoOrNull(epochMs: number | null): string | null {
  return epochMs === null ? null : new Date(epochMs).toISOString();
}
