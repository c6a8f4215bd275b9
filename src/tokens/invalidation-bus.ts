import type { PurgeSelector } from '../cache/index.js';

/**
 * A change that makes cached data stale. `resync` means "changes may have been missed: drop everything" —
 * delivered locally by a bus that lost its connection, and published when changes could not be sent to the
 * other instances. `cache-purged` tells every instance to purge its own response cache (a memory store) the
 * way the publishing instance purged its store; caches of tokens and projects ignore it.
 */
export type InvalidationEvent =
  | { readonly type: 'token-changed'; readonly tokenId: string }
  | { readonly type: 'project-changed'; readonly projectId: string }
  | { readonly type: 'cache-purged'; readonly selector: PurgeSelector }
  | { readonly type: 'resync' };

/** Receives invalidation events; must not throw (a throw is logged and the other listeners still run). */
export type InvalidationListener = (event: InvalidationEvent) => void;

/**
 * Carries invalidation events from where data is changed (management writes) to every cache of it, on this
 * instance and on every other instance sharing the database.
 */
export interface InvalidationBus {
  /**
   * Delivers the event to this instance's listeners before returning, then sends it to the other instances
   * without waiting for them: a publish never blocks or fails because another instance or Redis is away.
   */
  publish(event: InvalidationEvent): void;
  /** Adds a listener for events published here and on other instances; returns its removal. */
  subscribe(listener: InvalidationListener): () => void;
  /**
   * Settles once events of other instances reach this bus (at once in memory). Nothing needs to wait for it:
   * until then the caches rely on their TTL, as during an outage.
   */
  ready(): Promise<void>;
  /** Stops delivering and receiving; later publishes are ignored. The Redis connections stay open. */
  close(): Promise<void>;
}
