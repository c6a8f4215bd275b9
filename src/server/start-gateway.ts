import type { FastifyInstance } from 'fastify';

import { createAuditRecorder, startAuditRetention } from '../audit/index.js';
import type { AuditRecorder } from '../audit/index.js';
import type { EventPublisher } from '../events/index.js';
import type { Config } from '../config/index.js';
import { createApiKeyCipher, epochMillis, systemClock } from '../core/index.js';
import type { Clock, Logger } from '../core/index.js';
import { QuotaGate, RequestCountBatcher } from '../limits/index.js';
import { ProxyMetrics } from '../metrics/index.js';
import {
  ProviderBreakers,
  UpstreamPools,
  accessLogObserver,
  createProxyHandler,
  metricsObserver,
  usageObserver,
  usageTap,
} from '../proxy/index.js';
import type { ExchangeObserver, ResponseTap } from '../proxy/index.js';
import { openRedisClients } from '../redis/index.js';
import type { RedisClients } from '../redis/index.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { TokenAuthority, createInvalidationBus, invalidatingStore } from '../tokens/index.js';
import type { InvalidationBus } from '../tokens/index.js';
import { adminUiExtension } from './admin-ui-extension.js';
import { createLogger } from './create-logger.js';
import { createServer, routeRequests } from './create-server.js';
import { openResponseCache } from './open-response-cache.js';
import { startInProcessDispatchers } from './in-process-dispatchers.js';
import { openEventBus } from './open-event-bus.js';
import { requestEvents } from './open-request-events.js';
import { openUsageRollup } from './open-usage-rollup.js';
import type { ResponseCache } from './open-response-cache.js';
import type { RequestListener, ServerExtension } from './create-server.js';
import { registerMetricsRoutes } from './metrics-routes.js';
import { checkSecretsAtRest } from './secrets-at-rest-check.js';
import { systemStatus } from './system-status.js';
import { ResourceStack } from './resource-stack.js';

/**
 * Parts a caller may supply instead of having them built from the configuration (tests: a clock, a log
 * capture, a shared store; several gateways in one process: one Redis connection pair). A supplied part
 * belongs to its caller: `close()` leaves it open.
 */
export interface GatewayOverrides {
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default a pino logger as LOG_LEVEL, LOG_FORMAT and LOG_FILE say */
  readonly logger?: Logger;
  /** A migrated store. @default the configured database, opened and migrated */
  readonly store?: Store;
  /** The shared Redis (invalidation bus, admin sessions). @default opened from REDIS_URL when it is set */
  readonly redis?: RedisClients;
  /** @default over Redis pub/sub when Redis is configured, in-process otherwise */
  readonly invalidation?: InvalidationBus;
  /**
   * Where request events are published (tests, benchmarks); its owner closes it.
   * @default the configured bus, when something consumes it
   */
  readonly eventPublisher?: EventPublisher;
  /** Response taps of the proxy, outermost first, after those the configuration asks for. */
  readonly taps?: readonly ResponseTap[];
  /** Exchange observers after the metrics. */
  readonly observers?: readonly ExchangeObserver[];
  /** Further Fastify routes, registered last. */
  readonly extensions?: readonly ServerExtension[];
}

/** The running product: one port for `/v1`, `/manage`, probes and metrics, and the parts behind them. */
export interface Gateway {
  readonly config: Config;
  /** The Fastify app, ready and not yet listening. */
  readonly app: FastifyInstance;
  /**
   * The listener the server's socket feeds — `/v1/*` to the proxy, the rest to Fastify — for injecting
   * requests without a socket (light-my-request).
   */
  readonly handleRequest: RequestListener;
  readonly logger: Logger;
  /** The store as opened (management writes go through a wrapper that publishes invalidations). */
  readonly store: Store;
  readonly audit: AuditRecorder;
  readonly authority: TokenAuthority;
  readonly invalidation: InvalidationBus;
  readonly metrics: ProxyMetrics;
  readonly requestCounts: RequestCountBatcher;
  /** The HTTP response cache; undefined when HTTP_CACHE_ENABLED is off. */
  readonly responseCache: ResponseCache | undefined;
  /** The `/v1` pipeline's steps in the order they run. */
  readonly pipeline: readonly string[];
  /**
   * Stops taking requests, lets those in flight finish, then closes every part it built in reverse order of
   * construction: pools, request counts, buses and Redis, audit (flushed), the database, the log.
   */
  close(): Promise<void>;
}

/**
 * The composition root: turns a validated configuration into the running gateway. Every part is built here
 * once and injected into the parts that use it; the CLI and every test harness go through this function.
 * When a part fails to build, what was built before it is closed again.
 */
export async function startGateway(config: Config, overrides: GatewayOverrides = {}): Promise<Gateway> {
  const clock = overrides.clock ?? systemClock;
  const parts = new ResourceStack();
  let logger = overrides.logger;
  if (logger === undefined) {
    const created = await createLogger(config.log);
    parts.add('log', () => created.close());
    logger = created.logger;
  }
  try {
    return await assemble(config, overrides, { clock, logger, parts });
  } catch (error) {
    await parts.closeAll(logger).catch(() => undefined);
    throw error;
  }
}

interface Assembly {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly parts: ResourceStack;
}

async function assemble(
  config: Config,
  overrides: GatewayOverrides,
  { clock, logger, parts }: Assembly,
): Promise<Gateway> {
  const store = overrides.store ?? (await openMigratedStore(config, logger, parts));
  await checkSecretsAtRest(store, logger, config.encryption.key !== undefined).catch((error: unknown) => {
    logger.warn({ err: error }, 'could not check how provider API keys are stored');
  });
  const audit = createAuditRecorder({ config: config.audit, store, logger, clock });
  parts.add('audit', () => audit.close());
  if (config.audit.retentionMs > 0) {
    const retention = startAuditRetention({
      audit: store.audit,
      clock,
      logger,
      retentionMs: config.audit.retentionMs,
    });
    parts.add('audit retention', () => retention.close());
  }

  const redis = await openSharedRedis(config, overrides, logger, parts);
  const invalidation = overrides.invalidation ?? buildInvalidationBus(config, redis, logger, parts);
  const authority = new TokenAuthority({
    store,
    clock,
    cacheTtlMs: config.proxy.tokenCacheTtlMs,
    cacheMaxEntries: config.proxy.tokenCacheMax,
  });
  parts.add(
    'token cache subscription',
    invalidation.subscribe((event) => {
      authority.applyInvalidation(event);
    }),
  );
  const responseCache = await openResponseCache(config, { logger, clock, invalidation, parts });

  const requestCounts = new RequestCountBatcher({
    tokens: store.tokens,
    clock,
    logger,
    flushIntervalMs: config.proxy.usageFlushIntervalMs,
    flushThreshold: config.proxy.usageFlushThreshold,
  });
  parts.add('request counts', () => requestCounts.close());
  const quota = new QuotaGate({
    tokens: store.tokens,
    requestCounts,
    clock,
    logger,
    onStale: (token) => {
      authority.invalidateToken(token.id);
    },
  });
  const pools = new UpstreamPools();
  parts.add('upstream pools', () => pools.close());
  const breakers = new ProviderBreakers({
    failureThreshold: config.proxy.breakerThreshold,
    cooldownMs: config.proxy.breakerCooldownMs,
    clock,
  });
  const metrics = new ProxyMetrics();
  const usage = openUsageRollup(config, store, logger, parts);
  const eventBus =
    overrides.eventPublisher === undefined ? await openEventBus(config, logger, parts) : undefined;
  const dispatchers =
    eventBus === undefined ? [] : await startInProcessDispatchers(config, eventBus, logger, parts);
  const events = requestEvents({
    config,
    logger,
    metrics,
    publisher: overrides.eventPublisher ?? eventBus?.publisher,
  });
  const cacheStore = responseCache?.store;
  if (cacheStore !== undefined) metrics.watchCacheStore(cacheStore);
  const proxy = createProxyHandler({
    providers: config.providers,
    authority,
    quota,
    pools,
    breakers,
    logger,
    maxRequestSize: config.proxy.maxRequestSize,
    bodyRate: {
      minBytesPerSecond: config.connections.bodyMinRate,
      periodMs: config.connections.bodyRateGraceMs,
    },
    enforceProjectActive: config.proxy.enforceProjectActive,
    cache:
      cacheStore === undefined
        ? undefined
        : {
            store: cacheStore,
            shared: config.cache.shared,
            streamResponses: config.cache.streamResponses,
            defaultTtlMs: config.cache.defaultTtlMs,
            maxObjectBytes: config.cache.maxObjectBytes,
            now: epochMillis(clock),
            logger,
            countHit: (tokenId) => {
              requestCounts.recordCacheHit(tokenId);
            },
          },
    // Usage is read whenever something records it: the usage rollup or the request events.
    taps: [
      ...(usage !== undefined || events !== undefined ? [usageTap()] : []),
      ...(overrides.taps ?? []),
      ...(events?.taps ?? []),
    ],
    observers: [
      metricsObserver(metrics),
      ...(config.log.access ? [accessLogObserver(logger)] : []),
      ...(usage === undefined ? [] : [usageObserver(usage)]),
      ...(events?.observers ?? []),
      ...(overrides.observers ?? []),
    ],
  });

  const metricsRoutes: ServerExtension = (app) => {
    if (config.metrics.enabled) {
      registerMetricsRoutes(app, {
        metrics,
        path: config.metrics.path,
        managementToken: config.metrics.requireAuth ? config.managementToken : undefined,
      });
    }
    return undefined;
  };
  const adminUi = adminUiExtension(config, { logger, clock, redis: redis?.client });
  const app = await createServer({
    config,
    store: invalidatingStore(store, invalidation),
    logger,
    audit,
    clock,
    proxy,
    extensions: [metricsRoutes, adminUi, ...(overrides.extensions ?? [])],
    status: systemStatus({
      config,
      clock,
      store,
      metrics,
      cacheStore,
      publisher: events?.publisher,
      dispatchers,
    }),
    cachePurge: responseCache && {
      shared: config.cache.shared,
      purge: (selector) => responseCache.purger.purge(selector),
    },
  });
  // Closed first: no request may arrive once the parts it needs are closing.
  parts.add('server', () => app.close());

  return {
    config,
    app,
    handleRequest: routeRequests(proxy, (req, res) => {
      app.routing(req, res);
    }),
    logger,
    store,
    audit,
    authority,
    invalidation,
    metrics,
    requestCounts,
    responseCache,
    pipeline: proxy.stepNames,
    close: () => parts.closeAll(logger),
  };
}

async function openMigratedStore(config: Config, logger: Logger, parts: ResourceStack): Promise<Store> {
  const store = await openStore({
    database: config.database,
    cipher: createApiKeyCipher(config.encryption.key, config.encryption.previousKeys),
  });
  parts.add('database', () => store.close());
  const applied = await store.migrations.latest();
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrations applied');
  return store;
}

/**
 * The process's shared Redis connections: the caller's, else opened from REDIS_URL when a part uses them (the
 * invalidation bus unless the caller brought one, the `redis` admin session store); undefined without Redis.
 */
async function openSharedRedis(
  config: Config,
  overrides: GatewayOverrides,
  logger: Logger,
  parts: ResourceStack,
): Promise<RedisClients | undefined> {
  if (overrides.redis !== undefined || config.redis.url === undefined) return overrides.redis;
  const used = overrides.invalidation === undefined || config.admin.sessionStore.type === 'redis';
  if (!used) return undefined;
  const opened = await openRedisClients({ url: config.redis.url, logger });
  parts.add('redis', () => opened.close());
  return opened;
}

function buildInvalidationBus(
  config: Config,
  redis: RedisClients | undefined,
  logger: Logger,
  parts: ResourceStack,
): InvalidationBus {
  const bus =
    redis === undefined
      ? createInvalidationBus({ type: 'memory', logger })
      : createInvalidationBus({
          type: 'redis',
          logger,
          client: redis.client,
          subscriber: redis.subscriber,
          channel: config.redis.invalidationChannel,
        });
  parts.add('invalidation bus', () => bus.close());
  return bus;
}
