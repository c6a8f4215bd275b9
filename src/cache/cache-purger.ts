import type { CacheStore, PurgeSelector } from './cache-store.js';

/** Options of {@link CachePurger}. */
export interface CachePurgerOptions {
  /** This instance's store. */
  readonly store: CacheStore;
  /**
   * Tells every other instance about a purge made here (the invalidation bus), so that each one empties its
   * own memory store the same way. Called after this store was purged; must not throw.
   */
  readonly announce: (selector: PurgeSelector) => void;
}

/**
 * Purges the response cache of the whole deployment: this instance's store, then — by announcing the purge —
 * the memory stores of every other instance. A Redis store is shared by every instance, so an announced purge
 * is applied only to memory stores: the Redis keys were deleted once, by the instance that was asked.
 */
export class CachePurger {
  /** The selector being announced now: the bus delivers it back to this instance synchronously. */
  private announcing: PurgeSelector | undefined;

  constructor(private readonly options: CachePurgerOptions) {}

  /** The store this purger empties. */
  get store(): CacheStore {
    return this.options.store;
  }

  /**
   * Deletes what the selector matches and announces it; resolves the number of keys this instance's store
   * deleted. Rejects, announcing nothing, when the store is unavailable (Redis away).
   */
  async purge(selector: PurgeSelector): Promise<number> {
    const deleted = await this.options.store.purge(selector);
    this.announcing = selector;
    try {
      this.options.announce(selector);
    } finally {
      this.announcing = undefined;
    }
    return deleted;
  }

  /**
   * Applies a purge announced by another instance: a memory store is purged, a Redis store is left alone.
   * Resolves the number of keys deleted (0 for a purge this instance made itself and for a Redis store).
   */
  async applyRemotePurge(selector: PurgeSelector): Promise<number> {
    if (selector === this.announcing || this.options.store.backend !== 'memory') return 0;
    return this.options.store.purge(selector);
  }
}
