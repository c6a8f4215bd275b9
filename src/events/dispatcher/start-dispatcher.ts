import type { Server } from 'node:http';

import type { DispatcherConfig, ListenAddress } from '../../config/index.js';
import type { Logger } from '../../core/index.js';
import type { EventSource } from '../bus/event-bus.js';
import type { EventSink } from '../sinks/event-sink.js';
import { DEFAULT_HEALTH_RULES, dispatcherHealth } from './dispatcher-health.js';
import type { DispatcherHealth, DispatcherHealthRules } from './dispatcher-health.js';
import { closeDispatcherHttp, createDispatcherHttpServer, listenDispatcherHttp } from './dispatcher-http.js';
import { DispatcherMetrics } from './dispatcher-metrics.js';
import { EventDispatcher } from './event-dispatcher.js';
import type { DrainResult } from './event-dispatcher.js';

/** The settings of the `dispatcher` section that running one uses. */
export type DispatcherRunConfig = Pick<
  DispatcherConfig,
  | 'batchSize'
  | 'buffer'
  | 'flushIntervalMs'
  | 'maxAttempts'
  | 'retryBaseMs'
  | 'retryMaxMs'
  | 'readBatchSize'
  | 'claimTimeMs'
>;

/** Options of {@link startDispatcher}. */
export interface StartDispatcherOptions {
  readonly config: DispatcherRunConfig;
  /** A consumer of the bus (`bus.source(group, consumer)`); closed by the drain. */
  readonly source: EventSource;
  /** The backend (`createEventSink(eventSinkConfig(service))`); closed by the drain. */
  readonly sink: EventSink;
  readonly logger: Logger;
  /**
   * Serve `GET /health` and `GET /metrics` here (`DISPATCHER_LISTEN_ADDR`; an empty host is every IPv4
   * interface). @default not served (an embedding server exposes `metrics.registry` itself)
   */
  readonly listen?: ListenAddress;
  /** Retries of a batch after temporary failures before it goes back to the bus. @default 3 */
  readonly maxRetries?: number;
  /** When `/health` says 503. @default {@link DEFAULT_HEALTH_RULES} with `maxLag` = `config.buffer` */
  readonly health?: Partial<DispatcherHealthRules>;
  /** Export process metrics too (for a process of its own). @default false */
  readonly processMetrics?: boolean;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** Backoff jitter in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Deliver what the bus still holds when closing (the memory bus: see EventDispatcherOptions). @default false */
  readonly readToEndOnDrain?: boolean;
}

/** A dispatcher at work. */
export interface RunningDispatcher {
  readonly dispatcher: EventDispatcher;
  readonly metrics: DispatcherMetrics;
  /** Where `/health` and `/metrics` answer (`http://127.0.0.1:8082`); undefined when not served. */
  readonly url: string | undefined;
  /** The verdict `/health` would give now. */
  health(): Promise<DispatcherHealth>;
  /**
   * Stops the HTTP server, then drains (see {@link EventDispatcher.drain}) and closes source and sink.
   * @default deadlineMs 10000
   */
  close(deadlineMs?: number): Promise<DrainResult>;
}

/**
 * Starts delivering events from `source` to `sink` with the `dispatcher` section's batching and retry
 * settings — used by `llm-proxy dispatcher` and by a server that runs its dispatcher in-process. When `listen`
 * cannot be bound the promise rejects (with the bind error) and source and sink are closed.
 */
export async function startDispatcher(options: StartDispatcherOptions): Promise<RunningDispatcher> {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const dispatcher = new EventDispatcher({
    source: options.source,
    sink: options.sink,
    logger,
    batchSize: config.batchSize,
    buffer: config.buffer,
    flushIntervalMs: config.flushIntervalMs,
    readSize: config.readBatchSize,
    maxRetries: options.maxRetries ?? 3,
    retryBaseMs: config.retryBaseMs,
    retryMaxMs: config.retryMaxMs,
    maxAttempts: config.maxAttempts,
    // Within the claim time a batch is this dispatcher's alone; later another one may send it too.
    settleWithinMs: config.claimTimeMs,
    now,
    ...(options.random !== undefined && { random: options.random }),
    readToEndOnDrain: options.readToEndOnDrain ?? false,
  });
  const metrics = new DispatcherMetrics(dispatcher, { processMetrics: options.processMetrics ?? false });
  const rules: DispatcherHealthRules = {
    ...DEFAULT_HEALTH_RULES,
    maxLag: config.buffer,
    ...options.health,
  };
  let server: Server | undefined;
  let url: string | undefined;
  if (options.listen !== undefined) {
    server = createDispatcherHttpServer({ dispatcher, metrics, rules, logger, now });
    try {
      const host = options.listen.host === '' ? '0.0.0.0' : options.listen.host;
      url = await listenDispatcherHttp(server, host, options.listen.port);
    } catch (error) {
      await Promise.all([options.source.close(), options.sink.close()]);
      throw error;
    }
  }
  dispatcher.start();
  logger.info(
    { sink: options.sink.name, batchSize: config.batchSize, buffer: config.buffer, url },
    'event dispatcher started',
  );
  return {
    dispatcher,
    metrics,
    url,
    async health() {
      return dispatcherHealth(await dispatcher.snapshot(), rules, now());
    },
    async close(deadlineMs = 10_000) {
      if (server !== undefined) await closeDispatcherHttp(server);
      const result = await dispatcher.drain(deadlineMs);
      // The lag at the end tells an operator whether anything was left behind for the next dispatcher.
      logger.info(
        { ...(await dispatcher.snapshot()), unsettled: result.unsettled },
        'event dispatcher stopped',
      );
      return result;
    },
  };
}
