import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

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
