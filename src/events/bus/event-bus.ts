import type { ProxyEvent } from '../proxy-event.js';

/** What a bus publisher has done since it started. */
export interface PublisherStats {
  readonly published: number;
  /** Events lost: buffer full (memory), spool full (Redis away). Every loss is counted here. */
  readonly dropped: number;
  /** Events waiting in the local spool file for Redis to return (0 on the memory bus). */
  readonly spooled: number;
}

/**
 * The proxy's side of the bus. `publish` never blocks, never throws and never waits for I/O: the request that
 * produced the event must not notice the bus.
 */
export interface EventPublisher {
  publish(event: ProxyEvent): void;
  stats(): PublisherStats;
  /** Flushes what is buffered (to Redis, or to the spool when Redis is away), then stops. */
  close(): Promise<void>;
}

/** One event handed to a consumer; acknowledged (or failed) by its `id`. */
export interface Delivery {
  /** The bus's id of the message (a Redis stream id; a sequence number in memory). */
  readonly id: string;
  readonly event: ProxyEvent;
  /** How many times it was delivered, this time included (1 on the first delivery). */
  readonly attempts: number;
}

/** A message moved aside after it kept failing, with the reason of its last failure. */
export interface DeadLetter {
  readonly id: string;
  readonly event: ProxyEvent;
  readonly attempts: number;
  readonly reason: string;
}

/** How {@link EventSource.next} reads. */
export interface ReadOptions {
  /** Wait up to the block time for an event when there is none. @default true */
  readonly wait?: boolean;
}

/**
 * The dispatcher's side of the bus, for one consumer group: at-least-once. A delivery stays pending until it
 * is acknowledged; pending deliveries of a consumer that died are claimed by another after the claim time; a
 * delivery that failed `maxAttempts` times goes to the dead letters instead of coming back.
 */
export interface EventSource {
  /**
   * Up to `max` deliveries (claimed ones of dead consumers first), waiting at most the block time for one — or,
   * with `wait: false`, answering at once with what there is (a source that cannot may still wait).
   */
  next(max: number, options?: ReadOptions): Promise<readonly Delivery[]>;
  /** The backend accepted these: never delivered again. */
  ack(ids: readonly string[]): Promise<void>;
  /**
   * These failed: each comes back later, or — when its attempts reached the limit, or `permanent` — goes to the
   * dead letters with the reason.
   */
  fail(deliveries: readonly Delivery[], reason: string, permanent: boolean): Promise<void>;
  /** Deliveries read and not acknowledged, across the group (the lag). */
  pending(): Promise<number>;
  /** Stops reading; a `next` in progress resolves with what it has (possibly nothing). */
  close(): Promise<void>;
}
