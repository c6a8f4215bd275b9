import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

import type { CacheOutcome, CacheStore } from '../cache/index.js';
import { LabelledCounter, LabelledHistogram } from './labelled-series.js';
import type { CounterCell, HistogramCells } from './labelled-series.js';

/** The series one provider endpoint's requests land in, kept together so that a request finds them at once. */
interface RouteSeries {
  readonly duration: HistogramCells;
  readonly upstreamDuration: HistogramCells;
  /** Request counters by method, then status. */
  readonly requests: Map<string, Map<number, CounterCell>>;
}

/** The JSON metrics document, with the original program's keys. */
export interface MetricsSnapshot {
  uptime_seconds: number;
  request_count: number;
  error_count: number;
  cache_hits: number;
  cache_misses: number;
  cache_bypass: number;
  cache_stores: number;
  cache_conditional_hits: number;
  cache_collapsed: number;
  in_flight: number;
  proxy_errors: number;
}

/**
 * Counters and histograms of the proxy, served as Prometheus text and as plain numbers (JSON). Process metrics
 * (CPU, memory, event-loop lag, GC) and the rare proxy-error counter live in a prom-client registry; the
 * per-request series are kept in plain maps and rendered next to it, because prom-client's per-call label
 * hashing costs more than the rest of a request's bookkeeping together.
 */
export class ProxyMetrics {
  private readonly registry = new Registry();
  private readonly startedAt = Date.now();
  private readonly requests = new LabelledCounter(
    'llm_proxy_requests_total',
    'Proxied requests by provider, allowed endpoint, method and response status (499: client left first).',
    ['provider', 'endpoint', 'method', 'status'],
  );
  private readonly duration = new LabelledHistogram(
    'llm_proxy_request_duration_seconds',
    'Time from receiving a request to sending the last byte of its response.',
    ['provider', 'endpoint'],
  );
  private readonly upstreamDuration = new LabelledHistogram(
    'llm_proxy_upstream_duration_seconds',
    'Time from sending a request upstream to receiving the response headers.',
    ['provider', 'endpoint'],
  );
  private readonly proxyErrors: Counter<'code'>;
  private readonly totals = { requests: 0, errors: 0, proxyErrors: 0, inFlight: 0 };
  /** Exchanges by what the response cache did. */
  private readonly cache: Record<CacheOutcome, number> = {
    hit: 0,
    miss: 0,
    stored: 0,
    bypass: 0,
    'conditional-hit': 0,
    collapsed: 0,
  };
  /** Series by provider, then endpoint (both bounded: providers are configured, endpoints allowlisted). */
  private readonly routes = new Map<string, Map<string, RouteSeries>>();

  constructor() {
    const registers = [this.registry];
    const totals = this.totals;
    const startedAt = this.startedAt;
    collectDefaultMetrics({ register: this.registry, prefix: 'llm_proxy_' });
    this.proxyErrors = new Counter({
      name: 'llm_proxy_errors_total',
      help: 'Requests the proxy answered itself with an error, by error code.',
      labelNames: ['code'],
      registers,
    });
    this.registerCacheCounters();
    new Gauge({
      name: 'llm_proxy_requests_in_flight',
      help: 'Proxy requests currently being served.',
      registers,
      collect() {
        this.set(totals.inFlight);
      },
    });
    new Gauge({
      name: 'llm_proxy_uptime_seconds',
      help: 'Seconds since the server started.',
      registers,
      collect() {
        this.set((Date.now() - startedAt) / 1000);
      },
    });
  }

  /** The Content-Type of {@link prometheusText}. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric in the Prometheus text exposition format. */
  async prometheusText(): Promise<string> {
    const registered = await this.registry.metrics();
    return `${registered}\n${this.requests.render()}${this.duration.render()}${this.upstreamDuration.render()}`;
  }

  /** A request entered the proxy. */
  started(): void {
    this.totals.inFlight += 1;
  }

  /** A proxied request finished (its response was sent or the client went away). */
  finished(
    provider: string,
    endpoint: string,
    method: string,
    status: number,
    totalSeconds: number,
    upstreamSeconds: number | undefined,
  ): void {
    this.totals.inFlight -= 1;
    this.totals.requests += 1;
    if (status >= 400) this.totals.errors += 1;
    const route = this.routeSeries(provider, endpoint);
    let byStatus = route.requests.get(method);
    if (byStatus === undefined) {
      byStatus = new Map();
      route.requests.set(method, byStatus);
    }
    let counter = byStatus.get(status);
    if (counter === undefined) {
      counter = this.requests.cell([provider, endpoint, method, status]);
      byStatus.set(status, counter);
    }
    counter.value += 1;
    this.duration.record(route.duration, totalSeconds);
    if (upstreamSeconds !== undefined) this.upstreamDuration.record(route.upstreamDuration, upstreamSeconds);
  }

  /** The cache's exchange counters, with the original program's names where it had them. */
  private registerCacheCounters(): void {
    const cache = this.cache;
    const counter = (name: string, help: string, read: () => number): void => {
      this.collectedCounter(name, help, read);
    };
    counter(
      'llm_proxy_cache_hits_total',
      'Requests answered from the response cache (304s to conditional requests included).',
      () => cache.hit + cache['conditional-hit'],
    );
    counter(
      'llm_proxy_cache_misses_total',
      'Cacheable requests that went upstream (stored or not).',
      () => cache.miss + cache.stored,
    );
    counter('llm_proxy_cache_stores_total', 'Upstream answers stored in the cache.', () => cache.stored);
    counter(
      'llm_proxy_cache_bypass_total',
      'Requests the cache did not look up (not cacheable, refused, or the store unavailable).',
      () => cache.bypass,
    );
    counter(
      'llm_proxy_cache_collapsed_total',
      "Requests that shared an identical request's upstream answer instead of sending their own.",
      () => cache.collapsed,
    );
    counter(
      'llm_proxy_cache_conditional_hits_total',
      'Conditional requests answered 304 from the cache.',
      () => cache['conditional-hit'],
    );
  }

  /** A Prometheus counter whose value is read from elsewhere at each scrape (nothing is counted per request). */
  private collectedCounter(name: string, help: string, read: () => number): void {
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }

  private routeSeries(provider: string, endpoint: string): RouteSeries {
    let byEndpoint = this.routes.get(provider);
    if (byEndpoint === undefined) {
      byEndpoint = new Map();
      this.routes.set(provider, byEndpoint);
    }
    let route = byEndpoint.get(endpoint);
    if (route === undefined) {
      const labels = [provider, endpoint];
      route = {
        duration: this.duration.cell(labels),
        upstreamDuration: this.upstreamDuration.cell(labels),
        requests: new Map(),
      };
      byEndpoint.set(endpoint, route);
    }
    return route;
  }

  /** The proxy refused or failed a request itself. */
  proxyError(code: string): void {
    this.totals.proxyErrors += 1;
    this.proxyErrors.labels(code).inc();
  }

  /** What the response cache did for one exchange. */
  cacheOutcome(outcome: CacheOutcome): void {
    this.cache[outcome] += 1;
  }

  /** Exposes the request events' publisher: published, dropped and spooled events (read at each scrape). */
  watchEventPublisher(stats: () => { published: number; dropped: number; spooled: number }): void {
    this.collectedCounter(
      'llm_proxy_events_published_total',
      'Request events handed to the event bus.',
      () => stats().published,
    );
    this.collectedCounter(
      'llm_proxy_events_dropped_total',
      'Request events lost because the bus buffer or the local spool was full.',
      () => stats().dropped,
    );
    new Gauge({
      name: 'llm_proxy_events_spooled',
      help: 'Request events waiting in the local spool file for Redis to return.',
      registers: [this.registry],
      collect() {
        this.set(stats().spooled);
      },
    });
  }

  /** Exposes what the response cache's store holds and its own counters (read at each scrape). */
  watchCacheStore(store: CacheStore): void {
    const registers = [this.registry];
    const counter = (name: string, help: string, read: () => number): void => {
      this.collectedCounter(name, help, read);
    };
    counter(
      'llm_proxy_cache_evictions_total',
      'Cache entries evicted to make room (memory store).',
      () => store.counters().evictions,
    );
    counter(
      'llm_proxy_cache_expired_total',
      'Expired cache entries the store removed.',
      () => store.counters().expired,
    );
    counter(
      'llm_proxy_cache_store_errors_total',
      'Cache store reads and writes that failed, timed out or met an open circuit (the request was served without the cache).',
      () => store.counters().errors,
    );
    const gauge = (name: string, help: string, field: 'entries' | 'bytes'): void => {
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          this.set((await store.stats())[field]);
        },
      });
    };
    gauge('llm_proxy_cache_entries', 'Entries the cache store holds.', 'entries');
    gauge('llm_proxy_cache_bytes', 'Bytes the cache store holds.', 'bytes');
  }

  /** The JSON metrics document. */
  snapshot(): MetricsSnapshot {
    return {
      uptime_seconds: (Date.now() - this.startedAt) / 1000,
      request_count: this.totals.requests,
      error_count: this.totals.errors,
      cache_hits: this.cache.hit + this.cache['conditional-hit'],
      cache_misses: this.cache.miss + this.cache.stored,
      cache_bypass: this.cache.bypass,
      cache_stores: this.cache.stored,
      cache_conditional_hits: this.cache['conditional-hit'],
      cache_collapsed: this.cache.collapsed,
      in_flight: this.totals.inFlight,
      proxy_errors: this.totals.proxyErrors,
    };
  }
}
