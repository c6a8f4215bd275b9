/** Options for {@link TtlCache}. */
export interface TtlCacheOptions {
  /** How long an entry is served before it is read again. */
  readonly ttlMs: number;
  /** Most entries kept; the oldest is dropped first. */
  readonly maxEntries: number;
  readonly now: () => number;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/** A bounded map whose entries expire: the backstop behind explicit invalidation. */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();

  constructor(private readonly options: TtlCacheOptions) {}

  /**
   * The live entry for the key; `undefined` when absent or expired. `now` lets a caller that reads several
   * entries read the clock once.
   */
  get(key: K, now?: number): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= (now ?? this.options.now())) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.options.now() + this.options.ttlMs });
    if (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Drops every entry whose value matches. */
  deleteWhere(matches: (value: V) => boolean): void {
    for (const [key, entry] of this.entries) if (matches(entry.value)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
