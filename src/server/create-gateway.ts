import type { AuditRecorder } from '../audit/index.js';
import type { Config, ProviderConfig } from '../config/index.js';
import { systemClock } from '../core/index.js';
import type { Clock, Logger } from '../core/index.js';
import { QuotaGate, RequestCountBatcher } from '../limits/index.js';
import { ProxyMetrics } from '../metrics/index.js';
import { CircuitBreaker, UpstreamPools, createProxyHandler, metricsObserver } from '../proxy/index.js';
import type { ExchangeObserver, ResponseTap } from '../proxy/index.js';
import type { Store } from '../store/index.js';
import { MemoryInvalidationBus, TokenAuthority, invalidatingStore } from '../tokens/index.js';
import type { InvalidationBus } from '../tokens/index.js';
import { createServer } from './create-server.js';
import type { Server, ServerExtension } from './create-server.js';
import { registerMetricsRoutes } from './metrics-routes.js';

/** What {@link createGateway} is assembled from. */
export interface GatewayDeps {
  readonly config: Config;
  readonly store: Store;
  readonly logger: Logger;
  readonly audit: AuditRecorder;
  /** @default systemClock */
  readonly clock?: Clock;
  readonly extensions?: readonly ServerExtension[];
  /** Response taps of the proxy, outermost first. @default [] */
  readonly taps?: readonly ResponseTap[];
  /** Observers of every exchange, after the metrics. @default [] */
  readonly observers?: readonly ExchangeObserver[];
  /**
   * Where management changes are published and the token cache listens: a Redis bus when instances run side
   * by side; its owner closes it. @default an in-process bus, closed with the gateway
   */
  readonly invalidation?: InvalidationBus;
}

/** The whole product on one server: probes, `/manage`, `/v1` and metrics, with their shared parts. */
export interface Gateway extends Server {
  readonly authority: TokenAuthority;
  readonly metrics: ProxyMetrics;
  readonly requestCounts: RequestCountBatcher;
}

/**
 * Wires the proxy to the management API: management writes go through a store that publishes on the
 * invalidation bus, to which the token cache listens, so revocations take effect on the next request.
 * Closing drains requests, then writes the batched request counts and closes the upstream pools.
 */
export async function createGateway(deps: GatewayDeps): Promise<Gateway> {
  const { config, store, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const authority = new TokenAuthority({
    store,
    clock,
    cacheTtlMs: config.proxy.tokenCacheTtlMs,
    cacheMaxEntries: config.proxy.tokenCacheMax,
  });
  const invalidation = deps.invalidation ?? new MemoryInvalidationBus({ logger });
  const unsubscribe = invalidation.subscribe((event) => {
    authority.applyInvalidation(event);
  });
  const requestCounts = new RequestCountBatcher({
    tokens: store.tokens,
    clock,
    logger,
    flushIntervalMs: config.proxy.usageFlushIntervalMs,
  });
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
  const breakers = new Map<string, CircuitBreaker>();
  const breakerFor = (provider: ProviderConfig): CircuitBreaker => {
    let breaker = breakers.get(provider.name);
    if (breaker === undefined) {
      breaker = new CircuitBreaker({
        failureThreshold: config.proxy.breakerThreshold,
        cooldownMs: config.proxy.breakerCooldownMs,
        now: () => clock.now().getTime(),
      });
      breakers.set(provider.name, breaker);
    }
    return breaker;
  };
  const metrics = new ProxyMetrics();
  const proxy = createProxyHandler({
    providers: config.providers,
    authority,
    quota,
    pools,
    breakerFor,
    logger,
    maxRequestSize: config.proxy.maxRequestSize,
    enforceProjectActive: config.proxy.enforceProjectActive,
    taps: deps.taps ?? [],
    observers: [metricsObserver(metrics), ...(deps.observers ?? [])],
  });
  const metricsExtension: ServerExtension = (app) => {
    if (config.metrics.enabled) {
      registerMetricsRoutes(app, {
        metrics,
        path: config.metrics.path,
        managementToken: config.metrics.requireAuth ? config.managementToken : undefined,
      });
    }
    return undefined;
  };
  const server = await createServer({
    config,
    store: invalidatingStore(store, invalidation),
    logger,
    audit: deps.audit,
    clock,
    proxy,
    extensions: [metricsExtension, ...(deps.extensions ?? [])],
  });
  return {
    app: server.app,
    authority,
    metrics,
    requestCounts,
    async close() {
      try {
        await server.close();
      } finally {
        unsubscribe();
        if (deps.invalidation === undefined) await invalidation.close();
        await requestCounts.close();
        await pools.close();
      }
    },
  };
}
