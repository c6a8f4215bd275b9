import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

import { LabelledCounter, LabelledHistogram } from './labelled-series.js';

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
  /** Label arrays reused by every finished request (the series copy what they keep). */
  private readonly requestLabels: [string, string, string, number] = ['', '', '', 0];
  private readonly routeLabels: [string, string] = ['', ''];

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
  finished(labels: RequestLabels, totalSeconds: number, upstreamSeconds: number | undefined): void {
    this.totals.inFlight -= 1;
    this.totals.requests += 1;
    if (labels.status >= 400) this.totals.errors += 1;
    const { requestLabels, routeLabels } = this;
    requestLabels[0] = routeLabels[0] = labels.provider;
    requestLabels[1] = routeLabels[1] = labels.endpoint;
    requestLabels[2] = labels.method;
    requestLabels[3] = labels.status;
    this.requests.inc(requestLabels);
    this.duration.observe(routeLabels, totalSeconds);
    if (upstreamSeconds !== undefined) this.upstreamDuration.observe(routeLabels, upstreamSeconds);
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
