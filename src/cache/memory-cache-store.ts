import { epochMillis, systemClock } from '../core/index.js';
import type { Clock } from '../core/index.js';
import { selectorMatches } from './cache-key-layout.js';
import type { CacheStore, CacheStoreCounters, CacheStoreStats, PurgeSelector } from './cache-store.js';
import { itemBytes } from './cached-response.js';
import type { CacheItem } from './cached-response.js';

/** Options of {@link MemoryCacheStore}. */
export interface MemoryCacheStoreOptions {
  /** What the store may hold in all, as counted by `itemBytes()` plus the keys (`HTTP_CACHE_MAX_BYTES`). */
  readonly maxBytes: number;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Time between two sweeps for expired entries. @default 1000 */
  readonly sweepIntervalMs?: number;
  /** Entries examined by one sweep, so that a sweep of a large store never holds the event loop long. @default 5000 */
  readonly sweepBatchSize?: number;
}

/**
 * The cache of one process: a `Map` for lookups and a list of its entries in recency order (a hit moves its
 * entry to the front), bounded by bytes — the least recently used entries, at the back, make room for a new one.
 * Every operation is O(1): neither a hit nor an eviction touches the `Map` more than a lookup does (re-inserting
 * keys to keep the `Map`'s own order leaves deleted slots that every eviction would walk past). Expired entries
 * are never returned and are given back without traffic: removed when read, and by a periodic sweep that
 * examines a bounded number of entries each time, from the back, resuming where the last one stopped.
 *
 * Items are held as given, not copied: callers treat them as immutable.
 */
export class MemoryCacheStore implements CacheStore {
  readonly backend = 'memory';
  private readonly entries = new Map<string, Entry>();
  private readonly maxBytes: number;
  /** Epoch milliseconds: without a Date per read when the clock is the system's. */
  private readonly nowMs: () => number;
  private readonly sweepBatchSize: number;
  private readonly sweepTimer: NodeJS.Timeout;
  /** The most and the least recently used entries. */
  private newest: Entry | undefined;
  private oldest: Entry | undefined;
  /** The next entry the sweep examines, walking from the oldest towards the newest. */
  private sweepCursor: Entry | undefined;
  private heldBytes = 0;
  private evictions = 0;
  private expired = 0;

  constructor(options: MemoryCacheStoreOptions) {
    this.maxBytes = options.maxBytes;
    this.nowMs = epochMillis(options.clock ?? systemClock);
    this.sweepBatchSize = options.sweepBatchSize ?? 5000;
    this.sweepTimer = setInterval(() => {
      this.sweep();
    }, options.sweepIntervalMs ?? 1000);
    // The sweep only gives memory back: it must not keep a process alive that has nothing else to do.
    this.sweepTimer.unref();
  }

  get(key: string): CacheItem | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.item.expiresAt <= this.nowMs()) {
      this.remove(entry);
      this.expired += 1;
      return undefined;
    }
    if (entry !== this.newest) {
      this.unlink(entry);
      this.linkNewest(entry);
    }
    return entry.item;
  }

  /** False, and nothing changed, for an item larger than the whole store or already expired. */
  set(key: string, item: CacheItem): boolean {
    // The key is held too, and a key is a URL and hashes long.
    const bytes = itemBytes(item) + key.length;
    if (bytes > this.maxBytes || item.expiresAt <= this.nowMs()) return false;
    const previous = this.entries.get(key);
    if (previous !== undefined) this.remove(previous);
    this.makeRoom(bytes);
    const entry = new Entry(key, item, bytes);
    this.entries.set(key, entry);
    this.linkNewest(entry);
    this.heldBytes += bytes;
    return true;
  }

  purge(selector: PurgeSelector): Promise<number> {
    if (selector.kind === 'all') {
      const count = this.entries.size;
      this.clear();
      return Promise.resolve(count);
    }
    let count = 0;
    for (const [key, entry] of this.entries) {
      if (!selectorMatches(selector, key)) continue;
      this.remove(entry);
      count += 1;
    }
    return Promise.resolve(count);
  }

  stats(): CacheStoreStats {
    return { entries: this.entries.size, bytes: this.heldBytes };
  }

  counters(): CacheStoreCounters {
    return { evictions: this.evictions, expired: this.expired, errors: 0 };
  }

  /** Stops the sweep and lets go of every entry. */
  close(): Promise<void> {
    clearInterval(this.sweepTimer);
    this.clear();
    return Promise.resolve();
  }

  /** Evicts from the least recently used end until `bytes` more fit; expired entries met there are not evictions. */
  private makeRoom(bytes: number): void {
    if (this.heldBytes + bytes <= this.maxBytes) return;
    const now = this.nowMs();
    for (let entry = this.oldest; entry !== undefined; entry = this.oldest) {
      this.remove(entry);
      if (entry.item.expiresAt <= now) this.expired += 1;
      else this.evictions += 1;
      if (this.heldBytes + bytes <= this.maxBytes) return;
    }
  }

  private sweep(): void {
    const now = this.nowMs();
    let entry = this.sweepCursor ?? this.oldest;
    for (let examined = 0; examined < this.sweepBatchSize && entry !== undefined; examined += 1) {
      const next = entry.newer;
      if (entry.item.expiresAt <= now) {
        this.remove(entry);
        this.expired += 1;
      }
      entry = next;
    }
    // Past the newest entry, the next sweep starts over from the oldest.
    this.sweepCursor = entry;
  }

  private remove(entry: Entry): void {
    this.entries.delete(entry.key);
    this.unlink(entry);
    this.heldBytes -= entry.bytes;
  }

  private linkNewest(entry: Entry): void {
    entry.older = this.newest;
    entry.newer = undefined;
    if (this.newest === undefined) this.oldest = entry;
    else this.newest.newer = entry;
    this.newest = entry;
  }

  private unlink(entry: Entry): void {
    // The sweep's next entry moves on (to the newer one) rather than follow this one to the front.
    if (entry === this.sweepCursor) this.sweepCursor = entry.newer;
    const { older, newer } = entry;
    if (older === undefined) this.oldest = newer;
    else older.newer = newer;
    if (newer === undefined) this.newest = older;
    else newer.older = older;
    entry.older = undefined;
    entry.newer = undefined;
  }

  private clear(): void {
    this.entries.clear();
    this.newest = undefined;
    this.oldest = undefined;
    this.sweepCursor = undefined;
    this.heldBytes = 0;
  }
}

/** One item, what it costs to hold (its key included) and its neighbours in recency order. */
class Entry {
  older: Entry | undefined = undefined;
  newer: Entry | undefined = undefined;

  constructor(
    readonly key: string,
    readonly item: CacheItem,
    readonly bytes: number,
  ) {}
}
