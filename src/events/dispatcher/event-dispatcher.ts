import { setTimeout as sleep } from 'node:timers/promises';

import type { Logger } from '../../core/index.js';
import type { Delivery, EventSource } from '../bus/event-bus.js';
import type { EventSink } from '../sinks/event-sink.js';
import { deliverBatch } from './batch-delivery.js';
import type { BatchDeliveryContext } from './batch-delivery.js';
import { DispatcherCounters } from './dispatcher-stats.js';
import type { DispatcherSnapshot, DispatcherStats } from './dispatcher-stats.js';

/** The wait after a read of the bus threw, so that an outage does not become a busy loop. */
const READ_ERROR_PAUSE_MS = 1000;
/** The longest `drain` waits, past its deadline, for the reader and the sink to let go. */
const READER_EXIT_MS = 1000;

/** Options of {@link EventDispatcher}. */
export interface EventDispatcherOptions {
  readonly source: EventSource;
  readonly sink: EventSink;
  readonly logger: Logger;
  /** Events per batch (`DISPATCHER_BATCH_SIZE`). @default 100 */
  readonly batchSize?: number;
  /** Events read ahead of the backend, queued or in flight (`DISPATCHER_BUFFER`). @default 1000 */
  readonly buffer?: number;
  /** Longest an incomplete batch waits (`DISPATCHER_FLUSH_INTERVAL`). @default 5000 */
  readonly flushIntervalMs?: number;
  /** Events asked of the bus per read (`REDIS_STREAM_BATCH_SIZE`). @default `batchSize` */
  readonly readSize?: number;
  /** Retries of a batch after temporary failures before it goes back to the bus. @default 3 */
  readonly maxRetries?: number;
  /** First backoff ceiling, doubled per retry (`DISPATCHER_RETRY_BASE`). @default 1000 */
  readonly retryBaseMs?: number;
  /** Largest backoff (`DISPATCHER_RETRY_MAX`). @default 30000 */
  readonly retryMaxMs?: number;
  /** The bus's attempt limit (`DISPATCHER_MAX_ATTEMPTS`), to count what it dead-letters. @default 5 */
  readonly maxAttempts?: number;
  /**
   * Longest a read event may wait for its outcome before a failed batch is handed back rather than retried
   * (`REDIS_STREAM_CLAIM_TIME`: later, another consumer may claim it and both would send it). @default Infinity
   */
  readonly settleWithinMs?: number;
  /**
   * A drain first reads what the bus still holds, so that it is delivered too: for the memory bus, whose events
   * end with the process (a Redis stream keeps its unread events for the next dispatcher). @default false
   */
  readonly readToEndOnDrain?: boolean;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** Source of backoff jitter, in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** How a drain ended. */
export interface DrainResult {
  /** Events read that were neither accepted nor handed back before the deadline: still pending on the bus. */
  readonly unsettled: number;
}

/**
 * Moves events from a bus source to a backend: reads ahead up to `buffer` events while batches are in flight,
 * cuts batches of `batchSize` (an incomplete one after `flushIntervalMs`), and sends them one after another so
 * that a backend sees them in order. Each batch is settled by {@link deliverBatch}: only what the backend
 * accepted is acknowledged.
 */
export class EventDispatcher {
  readonly #source: EventSource;
  readonly #sink: EventSink;
  readonly #logger: Logger;
  readonly #batchSize: number;
  readonly #buffer: number;
  readonly #flushIntervalMs: number;
  readonly #readSize: number;
  readonly #readToEndOnDrain: boolean;
  readonly #counters: DispatcherCounters;
  readonly #abort = new AbortController();
  readonly #context: BatchDeliveryContext;
  /** Read, not yet cut into a batch. */
  #open: Delivery[] = [];
  /** When the oldest delivery of `#open` was read. */
  #openReadAt = 0;
  readonly #batches: Batch[] = [];
  /** Ids of the deliveries read and not settled yet. */
  readonly #held = new Set<string>();
  #flushTimer: NodeJS.Timeout | undefined;
  #sending: Promise<void> | undefined;
  #reading: Promise<void> | undefined;
  #roomWaiter: (() => void) | undefined;
  #stopping = false;
  #draining: Promise<DrainResult> | undefined;

  constructor(options: EventDispatcherOptions) {
    this.#source = options.source;
    this.#sink = options.sink;
    this.#logger = options.logger;
    this.#batchSize = options.batchSize ?? 100;
    // At least one batch must fit, or a full batch could never be cut.
    this.#buffer = Math.max(options.buffer ?? 1000, this.#batchSize);
    this.#flushIntervalMs = options.flushIntervalMs ?? 5000;
    this.#readSize = options.readSize ?? this.#batchSize;
    this.#readToEndOnDrain = options.readToEndOnDrain ?? false;
    const now = options.now ?? Date.now;
    this.#counters = new DispatcherCounters(options.sink.name, now());
    this.#context = {
      source: options.source,
      sink: options.sink,
      logger: options.logger,
      counters: this.#counters,
      backoff: { baseMs: options.retryBaseMs ?? 1000, maxMs: options.retryMaxMs ?? 30_000 },
      maxRetries: options.maxRetries ?? 3,
      maxAttempts: options.maxAttempts ?? 5,
      settleWithinMs: options.settleWithinMs ?? Infinity,
      signal: this.#abort.signal,
      now,
      random: options.random ?? Math.random,
    };
  }

  /** Starts reading; calling it again does nothing. */
  start(): void {
    if (this.#reading !== undefined || this.#stopping) return;
    this.#reading = this.#readLoop();
  }

  /** The counters, without asking the bus. */
  stats(): DispatcherStats {
    return this.#counters.snapshot();
  }

  /** The counters and the bus's lag (null when the bus did not answer). */
  async snapshot(): Promise<DispatcherSnapshot> {
    let lag: number | null;
    try {
      lag = await this.#source.pending();
    } catch {
      lag = null;
    }
    return { ...this.#counters.snapshot(), lag };
  }

  /**
   * Stops reading, sends what was read and waits for the batches in flight — retries included — until
   * `deadlineMs` has passed; then closes the source and the sink. What was not accepted by then is not
   * acknowledged: it stays pending on the bus and is delivered again (to another dispatcher, or this one after a
   * restart). Calling it again returns the same drain.
   * @default deadlineMs 10000
   */
  drain(deadlineMs = 10_000): Promise<DrainResult> {
    this.#draining ??= this.#drain(deadlineMs);
    return this.#draining;
  }

  async #drain(deadlineMs: number): Promise<DrainResult> {
    if (this.#readToEndOnDrain && this.#reading !== undefined) await this.#readRest();
    this.#stopping = true;
    this.#roomWaiter?.();
    this.#flush();
    const deadline = new AbortController();
    const finished = await Promise.race([
      this.#idle().then(() => true),
      sleep(deadlineMs, false, { signal: deadline.signal }).catch(() => false),
    ]);
    deadline.abort();
    // Past the deadline: no more retries; what is unsettled stays pending on the bus.
    if (!finished) this.#abort.abort();
    const unsettled = this.#counters.buffered;
    this.#batches.length = 0;
    await this.#source.close();
    if (this.#reading !== undefined) {
      await Promise.race([this.#reading, sleep(READER_EXIT_MS, undefined, { ref: false })]);
    }
    // A send still in flight past the deadline may hold the sink's close; the process must still end.
    const closing = this.#sink.close().catch((error: unknown) => {
      this.#logger.warn({ sink: this.#sink.name, err: messageOf(error) }, 'closing the event sink failed');
    });
    if (finished) await closing;
    else await Promise.race([closing, sleep(READER_EXIT_MS, undefined, { ref: false })]);
    if (unsettled > 0) {
      this.#logger.warn(
        { sink: this.#sink.name, events: unsettled },
        'drain deadline passed; unsettled events stay pending on the bus',
      );
    }
    return { unsettled };
  }

  /**
   * Takes what the bus holds without waiting, past the read-ahead bound (the bus itself is bounded): nothing is
   * published any more when a server drains its own dispatchers, and what is left unread would be lost.
   */
  async #readRest(): Promise<void> {
    for (;;) {
      let deliveries: readonly Delivery[];
      try {
        deliveries = await this.#source.next(this.#readSize, { wait: false });
      } catch (error) {
        this.#logger.warn({ err: messageOf(error) }, 'reading the last events from the bus failed');
        return;
      }
      if (deliveries.length === 0) return;
      this.#take(deliveries);
    }
  }

  async #readLoop(): Promise<void> {
    while (!this.#stopping) {
      const room = this.#buffer - this.#counters.buffered;
      if (room <= 0) {
        await new Promise<void>((resolve) => (this.#roomWaiter = resolve));
        this.#roomWaiter = undefined;
        continue;
      }
      let deliveries: readonly Delivery[];
      try {
        deliveries = await this.#source.next(Math.min(room, this.#readSize));
      } catch (error) {
        if (this.#isStopping()) return;
        this.#logger.warn({ err: messageOf(error) }, 'reading events from the bus failed; retrying');
        await sleep(READ_ERROR_PAUSE_MS);
        continue;
      }
      // Read after the drain began: not sent, so left pending on the bus (never acknowledged).
      if (this.#isStopping()) return;
      if (deliveries.length > 0) this.#take(deliveries);
    }
  }

  #take(read: readonly Delivery[]): void {
    // A delivery this dispatcher still holds can come back when it waited past the claim time (a slow
    // backend): the copy on its way settles it, a second one would only be sent twice.
    const deliveries = read.filter(({ id }) => !this.#held.has(id));
    if (deliveries.length === 0) return;
    for (const { id } of deliveries) this.#held.add(id);
    const readAt = this.#context.now();
    this.#counters.buffered += deliveries.length;
    if (this.#open.length === 0) this.#openReadAt = readAt;
    this.#open.push(...deliveries);
    while (this.#open.length >= this.#batchSize) {
      this.#enqueue({ deliveries: this.#open.slice(0, this.#batchSize), readAt: this.#openReadAt });
      this.#open = this.#open.slice(this.#batchSize);
      // What is left over came with this read: #open held less than a batch before it.
      this.#openReadAt = readAt;
    }
    if (this.#open.length === 0) {
      clearTimeout(this.#flushTimer);
      this.#flushTimer = undefined;
    } else {
      this.#flushTimer ??= setTimeout(() => {
        this.#flush();
      }, this.#flushIntervalMs);
    }
  }

  /** Sends the incomplete batch now. */
  #flush(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#open.length === 0) return;
    const deliveries = this.#open;
    this.#open = [];
    this.#enqueue({ deliveries, readAt: this.#openReadAt });
  }

  #enqueue(batch: Batch): void {
    this.#batches.push(batch);
    this.#startSending();
  }

  #startSending(): void {
    if (this.#sending !== undefined) return;
    this.#sending = this.#sendLoop().finally(() => {
      this.#sending = undefined;
      // A batch queued while the loop was ending would otherwise wait for the next one.
      if (this.#batches.length > 0 && !this.#abort.signal.aborted) this.#startSending();
    });
  }

  async #sendLoop(): Promise<void> {
    for (let batch = this.#batches.shift(); batch !== undefined; batch = this.#batches.shift()) {
      if (this.#abort.signal.aborted) return;
      try {
        await deliverBatch(batch.deliveries, batch.readAt, this.#context);
      } catch (error) {
        // deliverBatch settles its own failures; this is a defect, and the batch stays pending on the bus.
        this.#logger.error({ err: messageOf(error) }, 'delivering an event batch failed unexpectedly');
      }
      if (this.#aborted()) return;
      for (const { id } of batch.deliveries) this.#held.delete(id);
      this.#counters.buffered -= batch.deliveries.length;
      this.#roomWaiter?.();
    }
  }

  /** Read after an await: a drain may have begun meanwhile. */
  #isStopping(): boolean {
    return this.#stopping;
  }

  /** Read after an await: the drain deadline may have passed meanwhile. */
  #aborted(): boolean {
    return this.#abort.signal.aborted;
  }

  /** Resolves once nothing is queued or in flight. */
  async #idle(): Promise<void> {
    while (this.#sending !== undefined) await this.#sending;
  }
}

/** A batch cut from what was read, with when its oldest delivery was read. */
interface Batch {
  readonly deliveries: readonly Delivery[];
  readonly readAt: number;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
