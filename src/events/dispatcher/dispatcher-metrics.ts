import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

import type { DispatcherSnapshot, DispatcherStats } from './dispatcher-stats.js';

/** What the metrics read: the dispatcher's counters, and its snapshot for the lag. */
export interface DispatcherMetricsSource {
  stats(): DispatcherStats;
  snapshot(): Promise<DispatcherSnapshot>;
}

/** Options of {@link DispatcherMetrics}. */
export interface DispatcherMetricsOptions {
  /** Also export the process metrics (CPU, memory, event loop): for a dispatcher process of its own. @default false */
  readonly processMetrics?: boolean;
}

/** Counters that mirror a cumulative stat, named after it. */
const COUNTERS = [
  ['llm_proxy_dispatcher_events_delivered_total', 'Events the backend accepted.', 'delivered'],
  [
    'llm_proxy_dispatcher_events_failed_total',
    'Events handed back to the bus after a failure (redelivered later, or dead-lettered).',
    'failed',
  ],
  ['llm_proxy_dispatcher_events_retried_total', 'Events sent again after a temporary failure.', 'retried'],
  [
    'llm_proxy_dispatcher_events_dead_lettered_total',
    'Events moved to the dead letters (permanent error, or out of attempts).',
    'deadLettered',
  ],
  ['llm_proxy_dispatcher_events_rejected_total', 'Events the backend refused one by one.', 'rejected'],
  ['llm_proxy_dispatcher_batches_total', 'Batches handed to the backend.', 'batches'],
] as const;

/**
 * The dispatcher's Prometheus series, in a registry of its own (a server that embeds a dispatcher can merge it
 * into its own with `Registry.merge`). Values are read from the dispatcher at scrape time, so the delivery path
 * does no metrics work.
 */
export class DispatcherMetrics {
  /** The registry holding the series. */
  readonly registry = new Registry();

  constructor(source: DispatcherMetricsSource, options: DispatcherMetricsOptions = {}) {
    const registers = [this.registry];
    for (const [name, help, stat] of COUNTERS) {
      let seen = 0;
      new Counter({
        name,
        help,
        registers,
        collect() {
          const value = source.stats()[stat];
          // A counter only goes up: the difference since the last scrape.
          if (value > seen) this.inc(value - seen);
          seen = value;
        },
      });
    }
    new Gauge({
      name: 'llm_proxy_dispatcher_lag',
      help: 'Events read from the bus and not acknowledged, across the consumer group (XPENDING).',
      registers,
      async collect() {
        const { lag } = await source.snapshot();
        // An unanswered bus keeps the last value; /health reports the outage.
        if (lag !== null) this.set(lag);
      },
    });
    new Gauge({
      name: 'llm_proxy_dispatcher_buffered_events',
      help: 'Events this dispatcher read and has not settled yet.',
      registers,
      collect() {
        this.set(source.stats().buffered);
      },
    });
    new Gauge({
      name: 'llm_proxy_dispatcher_last_delivery_timestamp_seconds',
      help: 'When the backend last accepted an event (0: not yet).',
      registers,
      collect() {
        this.set((source.stats().lastDeliveryAt ?? 0) / 1000);
      },
    });
    if (options.processMetrics === true) collectDefaultMetrics({ register: this.registry });
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** The content type of {@link render}'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
