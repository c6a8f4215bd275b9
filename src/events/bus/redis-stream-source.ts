import type { Logger } from '../../core/index.js';
import type { ProxyEvent } from '../proxy-event.js';
import type { Delivery, EventSource } from './event-bus.js';
import { deadLetterKey, repliesOf, xadd } from './redis-stream-client.js';
import type { RedisCommand, RedisStreamClient, RedisStreamConnection } from './redis-stream-client.js';
import {
  DATA_FIELD,
  readAutoClaim,
  readDeliveryCount,
  readEvent,
  readGroupEntries,
  readPendingCount,
} from './stream-entries.js';
import type { StreamEntry } from './stream-entries.js';

/** Options of {@link RedisStreamSource}. */
export interface RedisStreamSourceOptions {
  /** The shared client: every command that answers at once. */
  readonly client: RedisStreamClient;
  /**
   * The connection for `XREADGROUP … BLOCK`, which holds its connection for up to the block time and would
   * stall every command queued behind it on a shared one. Not closed by the source. @default a duplicate of
   * `client`, owned (closed) by the source
   */
  readonly blocking?: RedisStreamConnection;
  readonly logger: Logger;
  /** `REDIS_STREAM_KEY`. @default 'llm-proxy-events' */
  readonly streamKey?: string;
  /** Consumer group; one per backend fans out, one shared load-shares (`REDIS_CONSUMER_GROUP`). */
  readonly group: string;
  /** This consumer's name in the group, unique per process (`REDIS_CONSUMER_NAME`). */
  readonly consumer: string;
  /** Longest wait of `next` for new entries (`REDIS_STREAM_BLOCK_TIME`). @default 5000 */
  readonly blockMs?: number;
  /** Idle time after which an unacknowledged entry is claimed (`REDIS_STREAM_CLAIM_TIME`). @default 30000 */
  readonly claimTimeMs?: number;
  /** Deliveries of one entry before a failure dead-letters it. @default 5 */
  readonly maxAttempts?: number;
  /** `MAXLEN ~` bound of the dead-letter stream `<streamKey>:dead`. @default 10000 */
  readonly deadLetterMaxLen?: number;
}

/**
 * One consumer of a consumer group on the event stream: at-least-once, an entry stays in the group's pending
 * list until `ack` (XACK) — which the dispatcher calls only after the backend accepted the event.
 *
 * `next` reads, in this order: its own pending entries, once after start (what this consumer read before a
 * restart); entries of any consumer of the group idle for `claimTimeMs` (`XAUTOCLAIM`: a dead consumer's
 * entries, and failed ones coming back); then new entries (`XREADGROUP … >`), blocking only when nothing
 * else was found. Attempts are Redis' delivery count, which every re-read and every claim increments.
 *
 * `fail` without `permanent` leaves the entry pending: it comes back, to whichever consumer claims it first,
 * `claimTimeMs` after it was delivered. Permanent failures, and failures on the last allowed attempt, go to
 * the dead-letter stream (`XADD <key>:dead` with data, reason, attempts, originalId, group, then XACK, in one
 * transaction). So do entries that are not events (never silently acknowledged), and entries delivered more
 * than `maxAttempts` times without an answer (they crash their consumers). Entries trimmed away by `MAXLEN`
 * before they were read are gone.
 *
 * A delivery must be answered (ack or fail) within `claimTimeMs`: after that it counts as abandoned, and the
 * next `next` of any consumer of the group — this one included — hands it out again.
 */
export class RedisStreamSource implements EventSource {
  private readonly client: RedisStreamClient;
  private readonly blocking: RedisStreamConnection;
  private readonly ownsBlocking: boolean;
  private readonly logger: Logger;
  private readonly key: string;
  private readonly group: string;
  private readonly consumer: string;
  private readonly blockMs: number;
  private readonly claimTimeMs: number;
  private readonly maxAttempts: number;
  private readonly deadLetterMaxLen: number;
  private groupReady: Promise<void> | undefined;
  /** Where the re-read of this consumer's own pending entries stands; null once it is done. */
  private ownCursor: string | null = '0';
  private claimCursor = '0-0';
  private failing = false;
  private closed = false;
  private readonly closing: Promise<void>;
  private markClosed: () => void = () => undefined;

  constructor(options: RedisStreamSourceOptions) {
    this.client = options.client;
    this.ownsBlocking = options.blocking === undefined;
    this.blocking = options.blocking ?? options.client.duplicate();
    // Errors are reported by the reads that meet them; without a listener the emitter would throw.
    if (this.ownsBlocking) this.blocking.on('error', () => undefined);
    this.logger = options.logger;
    this.key = options.streamKey ?? 'llm-proxy-events';
    this.group = options.group;
    this.consumer = options.consumer;
    this.blockMs = options.blockMs ?? 5000;
    this.claimTimeMs = options.claimTimeMs ?? 30_000;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.deadLetterMaxLen = options.deadLetterMaxLen ?? 10_000;
    this.closing = new Promise((resolve) => {
      this.markClosed = resolve;
    });
  }

  async next(max: number): Promise<readonly Delivery[]> {
    const out: Delivery[] = [];
    if (this.closed || max <= 0) return out;
    try {
      await this.ensureGroup();
      if (this.ownCursor !== null) out.push(...(await this.readOwnPending(max)));
      if (out.length < max) out.push(...(await this.claimIdle(max - out.length)));
      if (out.length < max) out.push(...(await this.readNew(max - out.length, out.length === 0)));
      this.recovered();
    } catch (error) {
      if (this.isClosed()) return out;
      this.problem(error);
      // The dispatcher loops on `next`: without a pause, an outage would turn it into a busy loop.
      if (out.length === 0) await this.pause(Math.min(this.blockMs, 1000));
    }
    return out;
  }

  async ack(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.client.call('xack', this.key, this.group, ...ids);
  }

  async fail(deliveries: readonly Delivery[], reason: string, permanent: boolean): Promise<void> {
    const dead = deliveries.filter((delivery) => permanent || delivery.attempts >= this.maxAttempts);
    // The others stay pending: XAUTOCLAIM hands them out again once idle for the claim time.
    if (dead.length === 0) return;
    await this.deadLetter(
      dead.map(({ id, event, attempts }) => ({ id, data: JSON.stringify(event), attempts, reason })),
    );
  }

  async pending(): Promise<number> {
    await this.ensureGroup();
    return readPendingCount(await this.client.call('xpending', this.key, this.group));
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.markClosed();
    // A blocked read in flight is abandoned: entries it may still receive stay pending and are claimed later.
    if (this.ownsBlocking) this.blocking.disconnect();
    return Promise.resolve();
  }

  /** Read after an await: `close` may have run meanwhile. */
  private isClosed(): boolean {
    return this.closed;
  }

  private ensureGroup(): Promise<void> {
    this.groupReady ??= this.client.call('xgroup', 'CREATE', this.key, this.group, '0', 'MKSTREAM').then(
      () => undefined,
      (error: unknown) => {
        if (messageOf(error).startsWith('BUSYGROUP')) return;
        this.groupReady = undefined;
        throw error;
      },
    );
    return this.groupReady;
  }

  private async readOwnPending(max: number): Promise<Delivery[]> {
    const reply = await this.client.call(
      'xreadgroup',
      'GROUP',
      this.group,
      this.consumer,
      'COUNT',
      max,
      'STREAMS',
      this.key,
      this.ownCursor ?? '0',
    );
    const entries = readGroupEntries(reply);
    this.ownCursor = entries.at(-1)?.id ?? null;
    return this.deliver(entries, true);
  }

  private async claimIdle(max: number): Promise<Delivery[]> {
    const reply = await this.client.call(
      'xautoclaim',
      this.key,
      this.group,
      this.consumer,
      this.claimTimeMs,
      this.claimCursor,
      'COUNT',
      max,
    );
    const { cursor, entries } = readAutoClaim(reply);
    this.claimCursor = cursor;
    return this.deliver(entries, true);
  }

  private async readNew(max: number, block: boolean): Promise<Delivery[]> {
    const args: (string | number)[] = ['GROUP', this.group, this.consumer, 'COUNT', max];
    if (block) args.push('BLOCK', this.blockMs);
    const connection = block ? this.blocking : this.client;
    const read = connection.call('xreadgroup', ...args, 'STREAMS', this.key, '>');
    const reply = await Promise.race([read, this.closing.then(() => null)]);
    if (this.isClosed()) {
      read.catch(() => undefined);
      return [];
    }
    return this.deliver(readGroupEntries(reply), false);
  }

  /** Deliveries of entries read; `redelivered` ones carry Redis' delivery count as their attempts. */
  private async deliver(entries: readonly StreamEntry[], redelivered: boolean): Promise<Delivery[]> {
    if (entries.length === 0) return [];
    const counts = redelivered ? await this.deliveryCounts(entries) : undefined;
    const out: Delivery[] = [];
    const gone: string[] = [];
    const dead: DeadEntry[] = [];
    entries.forEach((entry, index) => {
      const attempts = counts === undefined ? 1 : (counts[index] ?? 0);
      // Acknowledged meanwhile by the consumer that had it before the claim.
      if (attempts === 0) return;
      if (entry.fields === null) {
        // Trimmed by MAXLEN while pending: nothing left to deliver.
        gone.push(entry.id);
        return;
      }
      const data = entry.fields.get(DATA_FIELD);
      const event: ProxyEvent | undefined = readEvent(data);
      if (event === undefined) {
        dead.push({ id: entry.id, data: data ?? '', attempts, reason: 'not an event: unparseable message' });
      } else if (attempts > this.maxAttempts) {
        const reason = `delivered ${String(attempts)} times without an acknowledgement`;
        dead.push({ id: entry.id, data: data ?? '', attempts, reason });
      } else {
        out.push({ id: entry.id, event, attempts });
      }
    });
    if (gone.length > 0) await this.ack(gone);
    if (dead.length > 0) await this.deadLetter(dead);
    return out;
  }

  private async deliveryCounts(entries: readonly StreamEntry[]): Promise<number[]> {
    const commands: RedisCommand[] = entries.map(({ id }) => ['xpending', this.key, this.group, id, id, 1]);
    return repliesOf(await this.client.pipeline(commands).exec()).map(readDeliveryCount);
  }

  private async deadLetter(entries: readonly DeadEntry[]): Promise<void> {
    const commands: RedisCommand[] = entries.map(({ id, data, attempts, reason }) =>
      xadd(deadLetterKey(this.key), this.deadLetterMaxLen, [
        DATA_FIELD,
        data,
        'reason',
        reason,
        'attempts',
        String(attempts),
        'originalId',
        id,
        'group',
        this.group,
      ]),
    );
    commands.push(['xack', this.key, this.group, ...entries.map(({ id }) => id)]);
    // One transaction: an entry is never acknowledged without its dead letter, nor dead-lettered twice.
    repliesOf(await this.client.multi(commands).exec());
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      void this.closing.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private problem(error: unknown): void {
    if (messageOf(error).startsWith('NOGROUP')) this.groupReady = undefined;
    if (this.failing) return;
    this.failing = true;
    this.logger.warn(
      { err: { message: messageOf(error) }, stream: this.key, group: this.group },
      'reading the event stream failed; retrying',
    );
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.info({ stream: this.key, group: this.group }, 'reading the event stream again');
  }
}

/** An entry on its way to the dead letters. */
interface DeadEntry {
  readonly id: string;
  readonly data: string;
  readonly attempts: number;
  readonly reason: string;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : '';
}
