import type { CacheControl } from './cache-control.js';
import type { CachedResponse, StoredHeaders } from './cached-response.js';

import { parseCacheControl } from './cache-control.js';
import { storedHeaders, varyNames } from './stored-headers.js';

/**
 * The cache's decisions as pure functions (RFC 9111): whether a request may be answered from the cache or its
 * answer stored, for how long, and whether a stored answer is still fresh for a given request. No I/O and no
 * clock: the caller passes what it knows, `now` included.
 */

/** What the lookup step knows about a request. `projectPostTtlMs`: the project's operator TTL for POSTs, 0 = off. */
export interface LookupFacts {
  readonly method: string;
  readonly requestCacheControl: CacheControl;
  /** 'none': no body; 'read': the body was read (JSON or not) and can be hashed; 'streamed': it was not read. */
  readonly body: 'none' | 'read' | 'streamed';
  readonly projectPostTtlMs: number;
}

/** Why a request does not use the cache at all. */
export type BypassReason = 'method' | 'no-opt-in' | 'no-store' | 'body-not-read';

/** What the lookup step does with a request. */
export type LookupPlan =
  | { readonly cacheable: false; readonly reason: BypassReason }
  | {
      readonly cacheable: true;
      /** The TTL the client (`Cache-Control: public` + `s-maxage`/`max-age`) or the project forces; undefined: the upstream decides. */
      readonly forcedTtlMs: number | undefined;
      /** false when the client asked to revalidate (`no-cache`, `max-age=0`): forward, but the answer may be stored. */
      readonly serveStored: boolean;
      /** The client accepts only a stored answer (RFC 9111 §5.2.1.7): none that may be served → 504. */
      readonly onlyIfCached: boolean;
      /** The client's `max-age` in ms (older entries are not served to it); undefined when it set none. */
      readonly maxAgeMs: number | undefined;
    };

/** What the capture tap knows when the upstream's headers arrive. */
export interface StoreFacts {
  readonly method: string;
  readonly status: number;
  /** Response headers, lower-case names (hop-by-hop already removed). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly forcedTtlMs: number | undefined;
  readonly defaultTtlMs: number;
  readonly streamResponses: boolean;
  readonly maxObjectBytes: number;
}

/** Why an answer is relayed without being stored. */
export type NotStoredReason =
  | 'status'
  | 'no-store'
  | 'private'
  | 'no-cache'
  | 'vary-star'
  | 'not-public'
  | 'no-ttl'
  | 'stream'
  | 'too-large';

/** What the capture tap does with an answer. */
export type StorePlan =
  | { readonly store: false; readonly reason: NotStoredReason }
  | {
      readonly store: true;
      readonly ttlMs: number;
      /** Lower-case request header names the answer varies on, sorted, deduplicated; [] when none. */
      readonly vary: readonly string[];
      /** The headers to keep with the entry (see stored-headers.ts). */
      readonly headers: StoredHeaders;
      /** Whether the answer is an SSE stream (`text/event-stream`). */
      readonly stream: boolean;
    };

/** Freshness of a stored answer for one lookup. */
export interface Freshness {
  readonly fresh: boolean;
  /** Whole seconds since it was stored: its `Age` (RFC 9111 §5.1). */
  readonly ageSeconds: number;
  /** Whole seconds it has left, rounded up; 0 once expired. */
  readonly ttlSeconds: number;
}

const BYPASS_METHOD = bypass('method');
const BYPASS_NO_OPT_IN = bypass('no-opt-in');
const BYPASS_NO_STORE = bypass('no-store');
const BYPASS_BODY_NOT_READ = bypass('body-not-read');

const NOT_STORED: Readonly<Record<NotStoredReason, StorePlan>> = Object.freeze({
  status: notStored('status'),
  'no-store': notStored('no-store'),
  private: notStored('private'),
  'no-cache': notStored('no-cache'),
  'vary-star': notStored('vary-star'),
  'not-public': notStored('not-public'),
  'no-ttl': notStored('no-ttl'),
  stream: notStored('stream'),
  'too-large': notStored('too-large'),
});

/**
 * Whether and how a request may use the cache. GET and HEAD may (the upstream's answer decides what is stored,
 * unless the client forces a TTL); a POST only on opt-in — the client's `Cache-Control: public` with
 * `s-maxage`/`max-age` > 0 (s-maxage first; it wins over the project's), or the project's POST TTL. Any request
 * whose body was not read bypasses, since the key hashes it. A client's `no-store` always bypasses; its `no-cache` or
 * `max-age=0` forwards the request but lets the answer refresh the entry.
 */
export function planLookup(facts: LookupFacts): LookupPlan {
  const { method, requestCacheControl: directives } = facts;
  const post = method === 'POST';
  if (!post && method !== 'GET' && method !== 'HEAD') return BYPASS_METHOD;
  if (directives.noStore) return BYPASS_NO_STORE;
  let forcedTtlMs = clientTtlMs(directives);
  if (post) {
    if (forcedTtlMs === undefined && facts.projectPostTtlMs > 0) forcedTtlMs = facts.projectPostTtlMs;
    if (forcedTtlMs === undefined) return BYPASS_NO_OPT_IN;
  }
  // The key hashes the body: one that was not read would let different bodies share an entry (a GET too).
  if (facts.body === 'streamed') return BYPASS_BODY_NOT_READ;
  const maxAge = directives.maxAge;
  return {
    cacheable: true,
    forcedTtlMs,
    serveStored: !directives.noCache && maxAge !== 0,
    onlyIfCached: directives.onlyIfCached,
    maxAgeMs: maxAge === undefined ? undefined : maxAge * 1000,
  };
}

/**
 * Whether and how an upstream answer is stored. Only a complete 2xx other than 206; never one that says
 * `no-store`, `private` or `Vary: *`, nor `no-cache` (storable, but every use would need revalidation) unless a
 * TTL was opted into; a stream
 * only with `HTTP_CACHE_STREAM_RESPONSES`; not one whose `content-length` is over the object limit (a HEAD's
 * describes a body it does not have). A forced TTL
 * is used as is; otherwise the request carried credentials, so RFC 9111 §3.5 requires `public` or `s-maxage`,
 * and the TTL is `s-maxage`, else `max-age`, else the default TTL.
 */
export function planStore(facts: StoreFacts): StorePlan {
  const { status, headers } = facts;
  if (status < 200 || status > 299 || status === 206) return NOT_STORED.status;
  const directives = parseCacheControl(headers['cache-control']);
  if (directives.noStore) return NOT_STORED['no-store'];
  if (directives.private) return NOT_STORED.private;
  // An opt-in TTL stores answers that say `no-cache` (as the original does): SSE answers of the providers say it
  // to keep intermediaries from buffering, not to forbid storing what the client or the operator asked to store.
  if (directives.noCache && facts.forcedTtlMs === undefined) return NOT_STORED['no-cache'];
  const vary = varyNames(headers.vary);
  if (vary === '*') return NOT_STORED['vary-star'];
  const stream = isEventStream(headers['content-type']);
  if (stream && !facts.streamResponses) return NOT_STORED.stream;
  // A HEAD answer's content-length is the size of the GET body it describes; none is stored for it.
  const declaredLength = facts.method === 'HEAD' ? undefined : contentLength(headers['content-length']);
  if (declaredLength !== undefined && declaredLength > facts.maxObjectBytes) return NOT_STORED['too-large'];

  let ttlMs: number;
  if (facts.forcedTtlMs !== undefined) {
    ttlMs = facts.forcedTtlMs;
  } else {
    if (!directives.public && directives.sMaxAge === undefined) return NOT_STORED['not-public'];
    const seconds = directives.sMaxAge ?? directives.maxAge;
    ttlMs = seconds === undefined ? facts.defaultTtlMs : seconds * 1000;
  }
  if (!(ttlMs > 0)) return NOT_STORED['no-ttl'];
  const forcedSeconds = facts.forcedTtlMs === undefined ? undefined : Math.ceil(ttlMs / 1000);
  return { store: true, ttlMs, vary, headers: storedHeaders(headers, forcedSeconds), stream };
}

/**
 * How fresh a stored answer is for a lookup at `now` (epoch ms): fresh while unexpired and, when the client
 * sent `max-age`, no older than that. An entry stored "in the future" (clocks of two instances apart) has age 0.
 */
export function freshness(
  entry: CachedResponse,
  plan: { maxAgeMs: number | undefined },
  now: number,
): Freshness {
  const ageMs = Math.max(0, now - entry.storedAt);
  const fresh = now < entry.expiresAt && (plan.maxAgeMs === undefined || ageMs <= plan.maxAgeMs);
  return {
    fresh,
    ageSeconds: Math.floor(ageMs / 1000),
    ttlSeconds: Math.max(0, Math.ceil((entry.expiresAt - now) / 1000)),
  };
}

function clientTtlMs(directives: CacheControl): number | undefined {
  if (!directives.public) return undefined;
  const { sMaxAge, maxAge } = directives;
  if (sMaxAge !== undefined && sMaxAge > 0) return sMaxAge * 1000;
  if (maxAge !== undefined && maxAge > 0) return maxAge * 1000;
  return undefined;
}

/** `text/event-stream`, whatever its case and parameters. */
function isEventStream(value: string | string[] | undefined): boolean {
  const text = typeof value === 'string' ? value : value?.[0];
  if (text === undefined) return false;
  const semicolon = text.indexOf(';');
  const mediaType = (semicolon === -1 ? text : text.slice(0, semicolon)).trim();
  return mediaType.length === 17 && mediaType.toLowerCase() === 'text/event-stream';
}

/** A `content-length` of digits only; anything else is left for the byte count as the body arrives. */
function contentLength(value: string | string[] | undefined): number | undefined {
  const text = typeof value === 'string' ? value : value?.[0];
  if (text === undefined || text.length === 0) return undefined;
  for (let at = 0; at < text.length; at += 1) {
    const code = text.charCodeAt(at);
    if (code < 0x30 || code > 0x39) return undefined;
  }
  return Number(text);
}

function bypass(reason: BypassReason): LookupPlan {
  return Object.freeze({ cacheable: false, reason });
}

function notStored(reason: NotStoredReason): StorePlan {
  return Object.freeze({ store: false, reason });
}
