import { hostname } from 'node:os';

import type { Logger } from '../../core/index.js';
import type { DeadLetter, EventSource } from './event-bus.js';
import type { RedisStreamClient } from './redis-stream-client.js';
import { RedisStreamPublisher } from './redis-stream-publisher.js';
import type { RedisStreamPublisherOptions } from './redis-stream-publisher.js';
import { RedisStreamSource } from './redis-stream-source.js';
import type { RedisStreamSourceOptions } from './redis-stream-source.js';
import { listDeadLetters } from './replay.js';

/** Options of {@link RedisStreamEventBus}: those of its publisher and of its sources. */
export interface RedisStreamEventBusOptions
  extends
    Omit<RedisStreamPublisherOptions, 'client' | 'logger'>,
    Omit<RedisStreamSourceOptions, 'client' | 'logger' | 'group' | 'consumer' | 'blocking'> {
  readonly client: RedisStreamClient;
  readonly logger: Logger;
  /** The group of `source()` without one (`REDIS_CONSUMER_GROUP`). @default 'llm-proxy-dispatchers' */
  readonly consumerGroup?: string;
}

/**
 * The Redis Streams bus of one process: a publisher, made on first use only (a dispatcher never touches the
 * spool of the proxy it shares a host with), and sources, each on a blocking connection of its own.
 */
export class RedisStreamEventBus {
  private made: RedisStreamPublisher | undefined;
  private readonly sources = new Set<RedisStreamSource>();

  constructor(private readonly options: RedisStreamEventBusOptions) {}

  /** The proxy's side: `XADD`s to the stream, spooling while Redis is unreachable. */
  get publisher(): RedisStreamPublisher {
    this.made ??= new RedisStreamPublisher(this.options);
    return this.made;
  }

  /**
   * A consumer of `group` named `consumer` (unique per process: a consumer re-reads its own pending entries
   * at start). @default group `consumerGroup`, consumer `<hostname>-<pid>`
   */
  source(group?: string, consumer?: string): EventSource {
    const source = new RedisStreamSource({
      ...this.options,
      group: group ?? this.options.consumerGroup ?? 'llm-proxy-dispatchers',
      consumer: consumer ?? `${hostname()}-${String(process.pid)}`,
    });
    this.sources.add(source);
    return source;
  }

  /** The oldest dead letters of the stream (every group's), up to `limit`. */
  deadLetters(limit?: number): Promise<DeadLetter[]> {
    return listDeadLetters(this.options.client, {
      key: this.options.streamKey ?? 'llm-proxy-events',
      ...(limit !== undefined && { limit }),
    });
  }

  /** Flushes the publisher (to Redis or the spool) and closes every source; the shared client stays open. */
  async close(): Promise<void> {
    await Promise.all([this.made?.close(), ...[...this.sources].map((source) => source.close())]);
    this.sources.clear();
  }
}
