import type { Logger } from '../../core/index.js';
import type { DeadLetter, EventPublisher, EventSource } from './event-bus.js';
import { MemoryEventBus } from './memory-event-bus.js';
import { RedisStreamEventBus } from './redis-stream-event-bus.js';
import type { RedisStreamClient } from './redis-stream-client.js';

/** The defaults of the Redis Streams bus (the original's, §2 of its reference, where it had one). */
export const REDIS_STREAMS_DEFAULTS = Object.freeze({
  streamKey: 'llm-proxy-events',
  consumerGroup: 'llm-proxy-dispatchers',
  maxLen: 10_000,
  blockMs: 5000,
  claimTimeMs: 30_000,
  batchSize: 100,
  maxAttempts: 5,
  spoolPath: './data/event-spool.jsonl',
  spoolMaxBytes: 64 * 1024 * 1024,
  bufferSize: 1000,
});

/** Which bus (`LLM_PROXY_EVENT_BUS`) and how it is set up. */
export type EventBusConfig =
  | {
      /** In-process: the default, needs nothing installed; only for a dispatcher in the same process. */
      readonly type: 'memory';
      /** `OBSERVABILITY_BUFFER_SIZE`. @default 1000 */
      readonly bufferSize?: number;
      /** @default 5 */
      readonly maxAttempts?: number;
      /** Wait before a failed delivery comes back. @default 1000 */
      readonly retryDelayMs?: number;
      /** Longest wait of `next`. @default 5000 */
      readonly blockMs?: number;
    }
  | {
      readonly type: 'redis-streams';
      /** `REDIS_STREAM_KEY`. @default 'llm-proxy-events' */
      readonly streamKey?: string;
      /** `REDIS_CONSUMER_GROUP`, the group of `source()` without one. @default 'llm-proxy-dispatchers' */
      readonly consumerGroup?: string;
      /** `REDIS_STREAM_MAX_LEN`, 0 for unbounded. @default 10000 */
      readonly maxLen?: number;
      /** `REDIS_STREAM_BLOCK_TIME`. @default 5000 */
      readonly blockMs?: number;
      /** `REDIS_STREAM_CLAIM_TIME`. @default 30000 */
      readonly claimTimeMs?: number;
      /** `REDIS_STREAM_BATCH_SIZE`: events per pipelined write. @default 100 */
      readonly batchSize?: number;
      /** @default 5 */
      readonly maxAttempts?: number;
      /** @default './data/event-spool.jsonl' */
      readonly spoolPath?: string;
      /** @default 67108864 (64 MiB) */
      readonly spoolMaxBytes?: number;
      /** Events held in memory before they move to the spool (`OBSERVABILITY_BUFFER_SIZE`). @default 1000 */
      readonly bufferSize?: number;
    };

/** What the bus is built with. */
export interface EventBusDeps {
  readonly logger: Logger;
  /** The shared client; required for `redis-streams`. */
  readonly redis?: RedisStreamClient;
}

/** One process's bus: the proxy publishes, dispatchers read through sources. */
export interface EventBus {
  readonly type: EventBusConfig['type'];
  /** Made on first use. */
  readonly publisher: EventPublisher;
  /**
   * A consumer of `group` (one group per backend fans out; sources of one group share its events) named
   * `consumer` (unique per process; unused in memory). @default group `consumerGroup`
   */
  source(group?: string, consumer?: string): EventSource;
  /** The oldest dead letters (of `group` in memory, of every group on Redis). */
  deadLetters(group?: string): Promise<readonly DeadLetter[]>;
  /** Flushes the publisher and closes the sources; injected clients stay open. */
  close(): Promise<void>;
}

/** Builds the event bus the configuration names. */
export function createEventBus(config: EventBusConfig, deps: EventBusDeps): EventBus {
  switch (config.type) {
    case 'memory':
      return memoryBus(config);
    case 'redis-streams':
      return redisBus(config, deps);
    default:
      return unknownType(config);
  }
}

function memoryBus(config: Extract<EventBusConfig, { type: 'memory' }>): EventBus {
  const bus = new MemoryEventBus(config);
  const defaultGroup = REDIS_STREAMS_DEFAULTS.consumerGroup;
  return {
    type: 'memory',
    publisher: bus,
    source: (group) => bus.source(group ?? defaultGroup),
    deadLetters: (group) => Promise.resolve(bus.deadLetters(group ?? defaultGroup)),
    close: () => bus.close(),
  };
}

function redisBus(config: Extract<EventBusConfig, { type: 'redis-streams' }>, deps: EventBusDeps): EventBus {
  const { redis } = deps;
  if (redis === undefined) throw new Error('the redis-streams event bus needs a Redis client');
  const bus = new RedisStreamEventBus({
    ...REDIS_STREAMS_DEFAULTS,
    ...config,
    client: redis,
    logger: deps.logger,
  });
  return {
    type: 'redis-streams',
    get publisher() {
      return bus.publisher;
    },
    source: (group, consumer) => bus.source(group, consumer),
    deadLetters: () => bus.deadLetters(),
    close: () => bus.close(),
  };
}

function unknownType(config: never): never {
  throw new Error(`unknown event bus type: ${String((config as { type: unknown }).type)}`);
}
