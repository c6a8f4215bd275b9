import { systemClock } from '../core/index.js';
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
 * The cache of one process: a `Map` kept in recency order (a hit moves its key to the end), bounded by bytes —
 * the least recently used entries make room for a new one. Expired entries are never returned and are given
 * back without traffic: removed when read, and by a periodic sweep that examines a bounded number of entries
 * each time, resuming where the last one stopped.
 *
 * Items are held as given, not copied: callers treat them as immutable.
 */
export class MemoryCacheStore implements CacheStore {
  readonly backend = 'memory';
  private readonly entries = new Map<string, Entry>();
  private readonly maxBytes: number;
  private readonly clock: Clock;
  private readonly sweepBatchSize: number;
  private readonly sweepTimer: NodeJS.Timeout;
  /** Where the next sweep resumes; a Map iterator stays valid while the map changes. */
  private sweepCursor: Iterator<[string, Entry]> | undefined;
  private heldBytes = 0;
  private evictions = 0;
  private expired = 0;

  constructor(options: MemoryCacheStoreOptions) {
    this.maxBytes = options.maxBytes;
    this.clock = options.clock ?? systemClock;
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
    if (entry.item.expiresAt <= this.clock.now().getTime()) {
      this.remove(key, entry);
      this.expired += 1;
      return undefined;
    }
    // Re-inserting moves the key to the end: the Map's order is the recency order the eviction follows.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.item;
  }

  /** False, and nothing changed, for an item larger than the whole store or already expired. */
  set(key: string, item: CacheItem): boolean {
    // The key is held too, and a key is a URL and hashes long.
    const bytes = itemBytes(item) + key.length;
    if (bytes > this.maxBytes || item.expiresAt <= this.clock.now().getTime()) return false;
    const previous = this.entries.get(key);
    if (previous !== undefined) this.remove(key, previous);
    this.makeRoom(bytes);
    this.entries.set(key, { item, bytes });
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
      this.remove(key, entry);
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
    const now = this.clock.now().getTime();
    for (const [key, entry] of this.entries) {
      this.remove(key, entry);
      if (entry.item.expiresAt <= now) this.expired += 1;
      else this.evictions += 1;
      if (this.heldBytes + bytes <= this.maxBytes) return;
    }
  }

  private sweep(): void {
    if (this.entries.size === 0) {
      this.sweepCursor = undefined;
      return;
    }
    const now = this.clock.now().getTime();
    this.sweepCursor ??= this.entries.entries();
    for (let examined = 0; examined < this.sweepBatchSize; examined += 1) {
      const next = this.sweepCursor.next();
      if (next.done === true) {
        // A finished iterator stays finished: the next sweep starts over from the oldest entry.
        this.sweepCursor = undefined;
        return;
      }
      const [key, entry] = next.value;
      if (entry.item.expiresAt <= now) {
        this.remove(key, entry);
        this.expired += 1;
      }
    }
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.heldBytes -= entry.bytes;
  }

  private clear(): void {
    this.entries.clear();
    this.heldBytes = 0;
    this.sweepCursor = undefined;
  }
}

/** One item and what it costs to hold (its key included). */
interface Entry {
  readonly item: CacheItem;
  readonly bytes: number;
}
