import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
];

/** Labels of one finished proxy request. Endpoints are allowlist entries, so label cardinality stays bounded. */
export interface RequestLabels {
  readonly provider: string;
  readonly endpoint: string;
  readonly method: string;
  readonly status: number;
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
  in_flight: number;
  proxy_errors: number;
}

/** The prom-client children of one label combination, looked up once and then reused. */
interface RequestSeries {
  readonly requests: { inc(): void };
}

interface LatencySeries {
  readonly duration: { observe(value: number): void };
  readonly upstream: { observe(value: number): void };
}

/**
 * Counters and histograms of the proxy, kept in a prom-client registry (served as Prometheus text) and as
 * plain numbers (served as JSON). Process metrics (CPU, memory, event-loop lag, GC) come with the registry.
 * Label children are cached per combination and the in-flight gauge is read at scrape time, because
 * prom-client's per-call label hashing is measurable on the hot path.
 */
export class ProxyMetrics {
  readonly registry = new Registry();
  private readonly startedAt = Date.now();
  private readonly requests: Counter<'provider' | 'endpoint' | 'method' | 'status'>;
  private readonly proxyErrors: Counter<'code'>;
  private readonly duration: Histogram<'provider' | 'endpoint'>;
  private readonly upstreamDuration: Histogram<'provider' | 'endpoint'>;
  private readonly requestSeries = new Map<string, RequestSeries>();
  private readonly latencySeries = new Map<string, LatencySeries>();
  private readonly totals = { requests: 0, errors: 0, proxyErrors: 0, inFlight: 0 };

  constructor() {
    const registers = [this.registry];
    const totals = this.totals;
    const startedAt = this.startedAt;
    collectDefaultMetrics({ register: this.registry, prefix: 'llm_proxy_' });
    this.requests = new Counter({
      name: 'llm_proxy_requests_total',
      help: 'Proxied requests by provider, allowed endpoint, method and response status (499: client left first).',
      labelNames: ['provider', 'endpoint', 'method', 'status'],
      registers,
    });
    this.proxyErrors = new Counter({
      name: 'llm_proxy_errors_total',
      help: 'Requests the proxy answered itself with an error, by error code.',
      labelNames: ['code'],
      registers,
    });
    this.duration = new Histogram({
      name: 'llm_proxy_request_duration_seconds',
      help: 'Time from receiving a request to sending the last byte of its response.',
      labelNames: ['provider', 'endpoint'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.upstreamDuration = new Histogram({
      name: 'llm_proxy_upstream_duration_seconds',
      help: 'Time from sending a request upstream to receiving the response headers.',
      labelNames: ['provider', 'endpoint'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
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

  /** A request entered the proxy. */
  started(): void {
    this.totals.inFlight += 1;
  }

  /** A proxied request finished (its response was sent or the client went away). */
  finished(labels: RequestLabels, totalSeconds: number, upstreamSeconds: number | undefined): void {
    this.totals.inFlight -= 1;
    this.totals.requests += 1;
    if (labels.status >= 400) this.totals.errors += 1;
    const status = String(labels.status);
    const requestKey = `${labels.provider}\u0000${labels.endpoint}\u0000${labels.method}\u0000${status}`;
    let series = this.requestSeries.get(requestKey);
    if (series === undefined) {
      series = { requests: this.requests.labels(labels.provider, labels.endpoint, labels.method, status) };
      this.requestSeries.set(requestKey, series);
    }
    series.requests.inc();
    const latencyKey = `${labels.provider}\u0000${labels.endpoint}`;
    let latency = this.latencySeries.get(latencyKey);
    if (latency === undefined) {
      latency = {
        duration: this.duration.labels(labels.provider, labels.endpoint),
        upstream: this.upstreamDuration.labels(labels.provider, labels.endpoint),
      };
      this.latencySeries.set(latencyKey, latency);
    }
    latency.duration.observe(totalSeconds);
    if (upstreamSeconds !== undefined) latency.upstream.observe(upstreamSeconds);
  }

  /** The proxy refused or failed a request itself. */
  proxyError(code: string): void {
    this.totals.proxyErrors += 1;
    this.proxyErrors.labels(code).inc();
  }

  /** The JSON metrics document. */
  snapshot(): MetricsSnapshot {
    return {
      uptime_seconds: (Date.now() - this.startedAt) / 1000,
      request_count: this.totals.requests,
      error_count: this.totals.errors,
      cache_hits: 0,
      cache_misses: 0,
      cache_bypass: 0,
      cache_stores: 0,
      in_flight: this.totals.inFlight,
      proxy_errors: this.totals.proxyErrors,
    };
  }
}
