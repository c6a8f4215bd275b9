import type { CacheEntryOrigin, CachedResponse, ForwardReason, LookupPlan } from '../../cache/index.js';
import type { Flight } from './flight.js';

/** A lookup plan of a request the cache may answer or store. */
export type CacheablePlan = Extract<LookupPlan, { cacheable: true }>;

/**
 * What the lookup step learned about a cacheable request that goes upstream, for the flight that relays,
 * shares and stores its answer.
 */
export class CacheLookup {
  /** Why the request goes upstream (RFC 9211 `fwd`). */
  fwd: ForwardReason = 'uri-miss';
  /** Where the answer is stored and shared: the variant's key once the stored Vary is known, else the primary. */
  key: string;
  /** A stored answer the upstream is asked to revalidate (its validators were added to the request). */
  revalidating: CachedResponse | undefined = undefined;
  flight: Flight | undefined = undefined;

  constructor(
    readonly plan: CacheablePlan,
    readonly origin: CacheEntryOrigin,
    /** The request's primary key (cache-key-layout.ts). */
    readonly primary: string,
  ) {
    this.key = primary;
  }
}
