import type { Logger } from '../../core/index.js';
import type { ProxyEvent } from '../proxy-event.js';
import type { EventPublisher, PublisherStats } from './event-bus.js';
import { EventSpool } from './event-spool.js';
import { allSucceeded, xadd } from './redis-stream-client.js';
import type { RedisStreamClient } from './redis-stream-client.js';
import { DATA_FIELD, readEvent } from './stream-entries.js';

/** Options of {@link RedisStreamPublisher}. */
export interface RedisStreamPublisherOptions {
  /** The shared client (created in the composition root, which also closes it). */
  readonly client: RedisStreamClient;
  readonly logger: Logger;
  /** `REDIS_STREAM_KEY`. @default 'llm-proxy-events' */
  readonly streamKey?: string;
  /** `XADD MAXLEN ~` bound of the stream, 0 for none (`REDIS_STREAM_MAX_LEN`). @default 10000 */
  readonly maxLen?: number;
  /** Events per pipelined write (`REDIS_STREAM_BATCH_SIZE`). @default 100 */
  readonly batchSize?: number;
  /** Events held in memory before they are moved to the spool (`OBSERVABILITY_BUFFER_SIZE`). @default 1000 */
  readonly bufferSize?: number;
  /** Where events wait while Redis is unreachable. One process per file. @default './data/event-spool.jsonl' */
  readonly spoolPath?: string;
  /** Bytes the spool holds at most; later events are dropped and counted. @default 67108864 (64 MiB) */
  readonly spoolMaxBytes?: number;
  /** Wait before writing to Redis again after a failed write. @default 1000 */
  readonly retryIntervalMs?: number;
  /** A pipelined write not answered within this time counts as failed (a stalled server). @default 5000 */
  readonly writeTimeoutMs?: number;
}

/**
 * Publishes events to a Redis stream without ever making the request wait: `publish` only appends to a
 * bounded in-memory buffer, and a background flusher writes it with pipelined
 * `XADD <key> MAXLEN ~ <maxLen> * data <json>`.
 *
 * When Redis is unreachable, or a write fails or times out, events go to the local spool file, and from then
 * on the spool is drained before anything newer is written, so the stream receives events in the order they
 * were published. The spool is drained when the client is `ready` again (or on a retry timer for a server that
 * is up but refusing writes); a drained batch leaves the spool only after Redis accepted it. Only a full spool
 * drops events (counted in `stats().dropped`); so does a full buffer while the spool cannot take it.
 *
 * One exception to the order: when the buffer overflows into the spool while a write is in flight and that
 * write then fails, its batch is spooled behind the overflow.
 *
 * A write whose reply was lost may still have reached Redis: the batch is then sent again (from the spool),
 * so the stream may hold an event twice — receivers deduplicate on the event id. `stats().published` counts
 * events written to the stream.
 */
export class RedisStreamPublisher implements EventPublisher {
  private readonly client: RedisStreamClient;
  private readonly logger: Logger;
  private readonly streamKey: string;
  private readonly maxLen: number;
  private readonly batchSize: number;
  private readonly bufferSize: number;
  private readonly retryIntervalMs: number;
  private readonly writeTimeoutMs: number;
  private readonly spool: EventSpool;
  private buffer: ProxyEvent[] = [];
  private published = 0;
  private dropped = 0;
  private closed = false;
  private scheduled = false;
  private running: Promise<void> | undefined;
  private again = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private outage = false;
  /** Overflow writes to the spool still in progress. */
  private readonly spooling = new Set<Promise<void>>();

  constructor(options: RedisStreamPublisherOptions) {
    this.client = options.client;
    this.logger = options.logger;
    this.streamKey = options.streamKey ?? 'llm-proxy-events';
    this.maxLen = options.maxLen ?? 10_000;
    this.batchSize = Math.max(1, options.batchSize ?? 100);
    this.bufferSize = Math.max(1, options.bufferSize ?? 1000);
    this.retryIntervalMs = options.retryIntervalMs ?? 1000;
    this.writeTimeoutMs = options.writeTimeoutMs ?? 5000;
    this.spool = new EventSpool({
      path: options.spoolPath ?? './data/event-spool.jsonl',
      ...(options.spoolMaxBytes !== undefined && { maxBytes: options.spoolMaxBytes }),
    });
    this.client.on('ready', this.onReady);
    // What an earlier process left in the spool is older than anything published now: drained first.
    this.kick();
  }

  publish(event: ProxyEvent): void {
    if (this.closed) {
      this.dropped += 1;
      return;
    }
    if (this.buffer.length >= this.bufferSize) {
      // A burst, or a slow write in flight: the buffer moves to the spool, which is drained before anything
      // published later, so order holds.
      this.toSpool(this.buffer.splice(0));
    }
    this.buffer.push(event);
    this.schedule();
  }

  stats(): PublisherStats {
    return { published: this.published, dropped: this.dropped, spooled: this.spool.size };
  }

  /** Writes what is buffered to Redis — or to the spool when Redis is away or the spool is not empty. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.off('ready', this.onReady);
    clearTimeout(this.retryTimer);
    await this.running;
    await Promise.all(this.spooling);
    const rest = this.buffer.splice(0);
    if (rest.length === 0) return;
    await this.spool.open();
    const lines = this.serialize(rest);
    if (this.spool.size === 0 && this.client.status === 'ready' && (await this.write(lines))) {
      this.published += lines.length;
      return;
    }
    this.dropped += await this.spool.append(lines);
  }

  private readonly onReady = (): void => {
    this.kick();
  };

  /** Runs the flusher on the next turn, so that the events of one turn leave in one pipeline. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.kick();
    });
  }

  private kick(): void {
    if (this.closed) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = this.flush()
      .catch((error: unknown) => {
        this.logger.error({ err: error, stream: this.streamKey }, 'event publisher failed; retrying');
        this.retryLater();
      })
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.closed) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async flush(): Promise<void> {
    this.again = false;
    await this.spool.open();
    for (;;) {
      if (this.client.status !== 'ready') {
        await this.spoolBuffer('redis unreachable');
        return;
      }
      const batch = await this.spool.read(this.batchSize);
      if (batch !== undefined) {
        const valid = batch.lines.filter((line) => readEvent(line) !== undefined);
        this.dropped += batch.lines.length - valid.length;
        if (valid.length > 0 && !(await this.write(valid))) {
          await this.spoolBuffer('writing to the stream failed');
          return;
        }
        await this.spool.commit(batch);
        this.published += valid.length;
        this.recovered();
        continue;
      }
      if (this.buffer.length === 0 || this.closed) return;
      const lines = this.serialize(this.buffer.splice(0, this.batchSize));
      if (!(await this.write(lines))) {
        this.dropped += await this.spool.append(lines);
        await this.spoolBuffer('writing to the stream failed');
        return;
      }
      this.published += lines.length;
      this.recovered();
    }
  }

  /** Whether Redis accepted every line of one pipelined write within the write timeout. */
  private async write(lines: readonly string[]): Promise<boolean> {
    if (lines.length === 0) return true;
    const commands = lines.map((line) => xadd(this.streamKey, this.maxLen, [DATA_FIELD, line]));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<null>((resolve) => {
      timer = setTimeout(resolve, this.writeTimeoutMs, null);
    });
    try {
      const reply = await Promise.race([this.client.pipeline(commands).exec(), timedOut]);
      return allSucceeded(reply);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Moves the whole buffer to the spool and tries Redis again later. */
  private async spoolBuffer(why: string): Promise<void> {
    if (!this.outage) {
      this.outage = true;
      this.logger.warn(
        { stream: this.streamKey, spool: this.spool.path, reason: why },
        'events go to the local spool until Redis takes them again',
      );
    }
    const lines = this.serialize(this.buffer.splice(0));
    if (lines.length > 0) this.dropped += await this.spool.append(lines);
    this.retryLater();
  }

  private toSpool(events: readonly ProxyEvent[]): void {
    const written = this.spool.append(this.serialize(events)).then((dropped) => {
      this.dropped += dropped;
      this.spooling.delete(written);
    });
    this.spooling.add(written);
  }

  private retryLater(): void {
    if (this.retryTimer !== undefined || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, this.retryIntervalMs);
    // A retry must not keep alive a process that has nothing else left to do (it flushes on close).
    this.retryTimer.unref();
  }

  private recovered(): void {
    if (!this.outage || this.spool.size > 0) return;
    this.outage = false;
    this.logger.info({ stream: this.streamKey }, 'event spool drained into Redis');
  }

  /** Each event's JSON line; an event that cannot be serialised is dropped and counted. */
  private serialize(events: readonly ProxyEvent[]): string[] {
    const lines: string[] = [];
    for (const event of events) {
      try {
        lines.push(JSON.stringify(event));
      } catch {
        this.dropped += 1;
      }
    }
    return lines;
  }
}
