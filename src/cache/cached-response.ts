/** Where an entry was stored from: what purges select on (see cache-key-layout.ts). */
export interface CacheEntryOrigin {
  /** The project id, or {@link SHARED_SCOPE} when entries are shared between projects. */
  readonly scope: string;
  readonly provider: string;
  readonly method: string;
  /** The normalised path and query (see cache-key.ts). */
  readonly url: string;
}

/** The scope of every entry when HTTP_CACHE_SHARED=true. */
export const SHARED_SCOPE = 'shared';

/** Stored response headers: lower-case names, hop-by-hop and the proxy's own headers already left out. */
export type StoredHeaders = Readonly<Record<string, string | readonly string[]>>;

/** A complete answer as stored: replayed byte for byte, in the chunks it arrived in. */
export interface CachedResponse {
  readonly kind: 'response';
  readonly status: number;
  readonly headers: StoredHeaders;
  /** The body as relayed to the first client; a stream keeps its chunks apart so a replay streams too. */
  readonly chunks: readonly Buffer[];
  /** Epoch milliseconds the answer was received (its `Age` counts from here). */
  readonly storedAt: number;
  /** Epoch milliseconds after which it is stale and no longer served. */
  readonly expiresAt: number;
  readonly origin: CacheEntryOrigin;
}

/**
 * Stored under a request's primary key when the upstream's answer had a `Vary`: names the request headers
 * whose values select the variant, so a lookup computes the variant's key and reads it next.
 */
export interface VaryMarker {
  readonly kind: 'vary';
  /** Lower-case header names, sorted. */
  readonly headers: readonly string[];
  readonly expiresAt: number;
  readonly origin: CacheEntryOrigin;
}

/** What a store holds under one key. */
export type CacheItem = CachedResponse | VaryMarker;

/** What an item costs to hold: body bytes plus an estimate of its headers and bookkeeping. */
export function itemBytes(item: CacheItem): number {
  let bytes = 128 + item.origin.url.length + item.origin.scope.length;
  if (item.kind === 'vary') {
    for (const name of item.headers) bytes += name.length;
    return bytes;
  }
  for (const chunk of item.chunks) bytes += chunk.length + 16;
  for (const [name, value] of Object.entries(item.headers)) {
    bytes += name.length + 4;
    if (typeof value === 'string') bytes += value.length;
    else for (const part of value) bytes += part.length + 2;
  }
  return bytes;
}

/** The body bytes of a stored answer. */
export function bodyBytes(response: CachedResponse): number {
  let bytes = 0;
  for (const chunk of response.chunks) bytes += chunk.length;
  return bytes;
}
