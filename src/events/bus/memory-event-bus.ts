import type { ProxyEvent } from '../proxy-event.js';
import type {
  DeadLetter,
  Delivery,
  EventPublisher,
  EventSource,
  PublisherStats,
  ReadOptions,
} from './event-bus.js';

/** Past this many consumed slots at the head of the log, the log array is compacted. */
const COMPACT_AFTER = 1024;

/** Options of {@link MemoryEventBus}. */
export interface MemoryEventBusOptions {
  /**
   * Events the bus holds at most — unread by some group, or read and not yet acknowledged — before it drops
   * new ones and counts them (`OBSERVABILITY_BUFFER_SIZE`). @default 1000
   */
  readonly bufferSize?: number;
  /** Deliveries of one event before a failure sends it to the dead letters. @default 5 */
  readonly maxAttempts?: number;
  /** How long a failed (not permanent) delivery waits before it is delivered again. @default 1000 */
  readonly retryDelayMs?: number;
  /** Longest wait of `next` for an event. @default 5000 */
  readonly blockMs?: number;
  /** Dead letters kept per group; the oldest are forgotten first. @default 1000 */
  readonly maxDeadLetters?: number;
}

/** One published event in the log, with how many groups still have to finish it. */
interface LogEntry {
  readonly seq: number;
  readonly event: ProxyEvent;
  holders: number;
}

/** A delivered event of a group, not yet acknowledged; `owner` null while it waits for redelivery. */
interface Held {
  readonly entry: LogEntry;
  attempts: number;
  owner: MemoryEventSource | null;
  readyAt: number;
}

/**
 * The bus of one process (the default: `npm start` needs nothing installed). Each consumer group sees every
 * event; sources of one group share its events. Delivery within the process is at-least-once, as on Redis
 * Streams: a delivery stays pending until acknowledged; a failed one comes back after `retryDelayMs` with one
 * more attempt, or goes to the group's dead letters; a closed source gives its pending deliveries back to the
 * group at once (there is no other process to claim them). Nothing survives the process.
 *
 * `stats().published` counts the events accepted; an event that does not fit the buffer is dropped, counted.
 * Events published before any group exists are kept (within the buffer) for the first group.
 */
export class MemoryEventBus implements EventPublisher {
  private readonly log: EventLog;
  private published = 0;
  private dropped = 0;

  constructor(options: MemoryEventBusOptions = {}) {
    this.log = new EventLog(options);
  }

  publish(event: ProxyEvent): void {
    if (this.log.append(event)) this.published += 1;
    else this.dropped += 1;
  }

  stats(): PublisherStats {
    return { published: this.published, dropped: this.dropped, spooled: 0 };
  }

  /** A consumer of `group`; every source of one group shares its events, each group sees all of them. */
  source(group: string): EventSource {
    return new MemoryEventSource(this.log, this.log.group(group));
  }

  /** The dead letters of `group`, oldest first. */
  deadLetters(group: string): readonly DeadLetter[] {
    return this.log.deadLettersOf(group);
  }

  /** Stops accepting events (later ones are counted as dropped) and releases every waiting `next`. */
  close(): Promise<void> {
    this.log.close();
    return Promise.resolve();
  }
}

/** The events the bus holds, and the groups reading them. */
class EventLog {
  readonly settings: Required<Omit<MemoryEventBusOptions, 'bufferSize'>>;
  private readonly bufferSize: number;
  private entries: LogEntry[] = [];
  private head = 0;
  private nextSeq = 1;
  private readonly groups = new Map<string, GroupState>();
  private closed = false;

  constructor(options: MemoryEventBusOptions) {
    this.bufferSize = options.bufferSize ?? 1000;
    this.settings = {
      maxAttempts: options.maxAttempts ?? 5,
      retryDelayMs: options.retryDelayMs ?? 1000,
      blockMs: options.blockMs ?? 5000,
      maxDeadLetters: options.maxDeadLetters ?? 1000,
    };
  }

  /** Whether the event was taken (false: the bus is full or closed). */
  append(event: ProxyEvent): boolean {
    if (this.closed) return false;
    if (this.held() >= this.bufferSize) {
      this.trim();
      if (this.held() >= this.bufferSize) return false;
    }
    this.entries.push({ seq: this.nextSeq, event, holders: this.groups.size });
    this.nextSeq += 1;
    for (const group of this.groups.values()) group.wake();
    return true;
  }

  deadLettersOf(group: string): readonly DeadLetter[] {
    return [...(this.groups.get(group)?.deadLetters ?? [])];
  }

  close(): void {
    this.closed = true;
    for (const group of this.groups.values()) group.close();
  }

  /** The entry of sequence number `seq`, if still held. */
  entryAt(seq: number): LogEntry | undefined {
    return this.entries[this.head + seq - (this.entries[this.head]?.seq ?? this.nextSeq)];
  }

  /** A group finished an entry (acknowledged or dead-lettered). */
  release(entry: LogEntry): void {
    entry.holders -= 1;
    if (entry.holders <= 0) this.trim();
  }

  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private held(): number {
    return this.entries.length - this.head;
  }

  /** The group `name`, created on first use. */
  group(name: string): GroupState {
    let state = this.groups.get(name);
    if (state === undefined) {
      // Like a Redis group created at id 0: it sees every event the bus still holds.
      const first = this.entries[this.head]?.seq ?? this.nextSeq;
      for (const entry of this.entries.slice(this.head)) entry.holders += 1;
      state = new GroupState(this, first);
      this.groups.set(name, state);
    }
    return state;
  }

  /** Forgets the entries at the head that every group has read and finished. */
  private trim(): void {
    if (this.groups.size === 0) return;
    let readByAll = Infinity;
    for (const group of this.groups.values()) readByAll = Math.min(readByAll, group.cursor);
    for (;;) {
      const entry = this.entries[this.head];
      if (entry === undefined || entry.holders > 0 || entry.seq >= readByAll) break;
      this.head += 1;
    }
    if (this.head > COMPACT_AFTER && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}

/** What one consumer group has read, holds and gave up on. */
class GroupState {
  /** Sequence number of the next unread event. */
  cursor: number;
  readonly held = new Map<string, Held>();
  /** Failed deliveries waiting for redelivery, in the order they become due (the delay is the same for all). */
  readonly retries: Held[] = [];
  readonly deadLetters: DeadLetter[] = [];
  private readonly waiters = new Set<() => void>();
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly bus: EventLog,
    cursor: number,
  ) {
    this.cursor = cursor;
  }

  take(max: number, owner: MemoryEventSource): Delivery[] {
    const now = Date.now();
    const out: Delivery[] = [];
    while (out.length < max && (this.retries[0]?.readyAt ?? Infinity) <= now) {
      const held = this.retries.shift();
      if (held === undefined) break;
      held.attempts += 1;
      held.owner = owner;
      out.push(delivery(held));
    }
    while (out.length < max && this.cursor <= this.bus.lastSeq) {
      const entry = this.bus.entryAt(this.cursor);
      this.cursor += 1;
      if (entry === undefined) continue;
      const held: Held = { entry, attempts: 1, owner, readyAt: 0 };
      this.held.set(String(entry.seq), held);
      out.push(delivery(held));
    }
    if (this.retries.length > 0) this.scheduleRetry();
    return out;
  }

  ack(id: string): void {
    const held = this.held.get(id);
    if (held === undefined) return;
    this.held.delete(id);
    const waiting = this.retries.indexOf(held);
    if (waiting >= 0) this.retries.splice(waiting, 1);
    this.bus.release(held.entry);
  }

  fail(id: string, owner: MemoryEventSource, reason: string, permanent: boolean): void {
    const held = this.held.get(id);
    // A delivery given back (its source closed) or acknowledged meanwhile is no longer this source's to fail.
    if (held?.owner !== owner) return;
    const { maxAttempts, retryDelayMs, maxDeadLetters } = this.bus.settings;
    if (permanent || held.attempts >= maxAttempts) {
      this.held.delete(id);
      this.deadLetters.push({ id, event: held.entry.event, attempts: held.attempts, reason });
      if (this.deadLetters.length > maxDeadLetters) this.deadLetters.shift();
      this.bus.release(held.entry);
      return;
    }
    held.owner = null;
    held.readyAt = Date.now() + retryDelayMs;
    this.retries.push(held);
    this.scheduleRetry();
  }

  /** Gives a closed source's deliveries back to the group, due at once. */
  giveBack(owner: MemoryEventSource): void {
    const returned: Held[] = [];
    for (const held of this.held.values()) {
      if (held.owner !== owner) continue;
      held.owner = null;
      held.readyAt = 0;
      returned.push(held);
    }
    if (returned.length === 0) return;
    this.retries.unshift(...returned);
    this.wake();
  }

  /** Resolves when an event may be there for the group, or after `ms`. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  close(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.wake();
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== undefined || this.bus.isClosed) return;
    const due = this.retries[0];
    if (due === undefined) return;
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = undefined;
        this.wake();
        this.scheduleRetry();
      },
      Math.max(0, due.readyAt - Date.now()),
    );
    // A retry that is due must not keep a process alive that has nothing else left to do.
    this.retryTimer.unref();
  }
}

/** One consumer of a group of a {@link MemoryEventBus}. */
class MemoryEventSource implements EventSource {
  private closed = false;

  constructor(
    private readonly bus: EventLog,
    private readonly group: GroupState,
  ) {}

  async next(max: number, options?: ReadOptions): Promise<readonly Delivery[]> {
    const deadline = Date.now() + (options?.wait === false ? 0 : this.bus.settings.blockMs);
    for (;;) {
      if (this.closed || this.bus.isClosed) return [];
      const taken = this.group.take(max, this);
      if (taken.length > 0) return taken;
      const left = deadline - Date.now();
      if (left <= 0) return [];
      await this.group.wait(left);
    }
  }

  ack(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.group.ack(id);
    return Promise.resolve();
  }

  fail(deliveries: readonly Delivery[], reason: string, permanent: boolean): Promise<void> {
    for (const { id } of deliveries) this.group.fail(id, this, reason, permanent);
    return Promise.resolve();
  }

  pending(): Promise<number> {
    return Promise.resolve(this.group.held.size);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.group.giveBack(this);
    this.group.wake();
    return Promise.resolve();
  }
}

function delivery(held: Held): Delivery {
  return { id: String(held.entry.seq), event: held.entry.event, attempts: held.attempts };
}
