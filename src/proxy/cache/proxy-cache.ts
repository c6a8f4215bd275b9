import {
  STORE_UNAVAILABLE,
  SHARED_SCOPE,
  bodyHash,
  conditionalHitSignal,
  forwardSignal,
  freshness,
  hitSignal,
  normaliseRequestUrl,
  notModified,
  onlyIfCachedSignal,
  parseCacheControl,
  planLookup,
  primaryKey,
  validatorsOf,
  variantKey,
  varyValuesHash,
} from '../../cache/index.js';
import type { BypassReason, CacheSignal, CachedResponse, StoreRead } from '../../cache/index.js';
import { AppError, ERRORS } from '../../core/index.js';
import type { ProxyExchange } from '../proxy-exchange.js';
import type { RequestBody } from '../request-body.js';
import type { Routed } from '../request-state.js';
import { ANSWERED } from '../step-runner.js';
import type { StepResult } from '../step-runner.js';
import { CacheLookup } from './cache-lookup.js';
import { cachedAnswer, notModifiedAnswer } from './cached-answer.js';
import { Flight } from './flight.js';
import { proxyCacheContext } from './proxy-cache-context.js';
import type { ProxyCacheContext, ProxyCacheOptions } from './proxy-cache-context.js';

const BYPASS: Readonly<Record<BypassReason, CacheSignal>> = {
  method: forwardSignal('method', false),
  'no-opt-in': forwardSignal('bypass', false, undefined, 'no-opt-in'),
  'no-store': forwardSignal('bypass', false, undefined, 'no-store'),
  'body-not-read': forwardSignal('bypass', false, undefined, 'body-not-read'),
};
const STORE_DOWN = forwardSignal('bypass', false, undefined, 'store-unavailable');
const ONLY_IF_CACHED = onlyIfCachedSignal();

/**
 * The proxy side of the response cache: the lookup a cacheable request passes through after the provider's
 * rules (so a hit still needs a valid token, an active project and the provider's allowlists) and before the
 * circuit breaker and the quota (so a hit spends neither). A fresh entry is answered here and played through
 * the response taps like any answer; a miss goes upstream with a {@link Flight} that shares the answer with
 * identical requests arriving meanwhile and stores it. The memory store answers in the same tick.
 */
export class ProxyCache {
  private readonly context: ProxyCacheContext;

  constructor(options: ProxyCacheOptions) {
    this.context = proxyCacheContext(options);
  }

  /** Answers of upstream requests that identical ones may still join. */
  get flightsInProgress(): number {
    return this.context.flights.size;
  }

  /** The lookup step. */
  lookup(state: Routed): StepResult<Routed> {
    const exchange = state as unknown as ProxyExchange;
    const requestCacheControl = parseCacheControl(state.req.headers['cache-control']);
    const plan = planLookup({
      method: state.method,
      requestCacheControl,
      body: bodyKind(state.body),
      projectPostTtlMs: (state.project.cachePostTtlSeconds ?? 0) * 1000,
    });
    if (!plan.cacheable) {
      exchange.cacheSignal = BYPASS[plan.reason];
      return state;
    }
    const origin = {
      scope: this.context.shared ? SHARED_SCOPE : state.project.id,
      provider: state.provider.name,
      method: state.method,
      url: normaliseRequestUrl(state.url),
    };
    // The provider is part of the key: a project moved to another provider never gets the old one's answers.
    const body = state.body.payload;
    const bodySegment = `${encodeURIComponent(state.provider.name)}.${bodyHash(Buffer.isBuffer(body) ? body : undefined, state.body.json)}`;
    const lookup = new CacheLookup(plan, origin, primaryKey(origin, bodySegment));
    return this.then(this.context.store.get(lookup.primary), (item) =>
      this.afterPrimary(exchange, lookup, item),
    );
  }

  private afterPrimary(exchange: ProxyExchange, lookup: CacheLookup, item: StoreRead): StepResult<Routed> {
    if (item === STORE_UNAVAILABLE) return this.bypassStore(exchange);
    if (item?.kind !== 'vary') return this.afterEntry(exchange, lookup, item, 'uri-miss');
    lookup.key = variantKey(lookup.primary, varyValuesHash(item.headers, exchange.requestHeaders));
    return this.then(this.context.store.get(lookup.key), (variant) => {
      if (variant === STORE_UNAVAILABLE) return this.bypassStore(exchange);
      return this.afterEntry(
        exchange,
        lookup,
        variant?.kind === 'response' ? variant : undefined,
        'vary-miss',
      );
    });
  }

  private afterEntry(
    exchange: ProxyExchange,
    lookup: CacheLookup,
    entry: CachedResponse | undefined,
    missReason: 'uri-miss' | 'vary-miss',
  ): StepResult<Routed> {
    const { plan } = lookup;
    const state = exchange as unknown as Routed;
    if (entry !== undefined) {
      const now = this.context.now();
      const fresh = freshness(entry, plan, now);
      if (fresh.fresh && plan.serveStored) {
        this.answerFromStore(exchange, entry, fresh.ageSeconds, fresh.ttlSeconds);
        return ANSWERED;
      }
      lookup.fwd = plan.serveStored ? 'stale' : 'request';
      this.revalidate(exchange, lookup, entry);
    } else lookup.fwd = missReason;
    if (plan.onlyIfCached) {
      exchange.cacheSignal = ONLY_IF_CACHED;
      throw new AppError(ERRORS.CACHE_ONLY_IF_CACHED);
    }
    const { flights } = this.context;
    const joinable = plan.serveStored && exchange.collapseAllowed;
    if (joinable) {
      const flight = flights.get(lookup.key);
      if (flight?.open === true) return flight.join(state);
    }
    exchange.cacheSignal = forwardSignal(lookup.fwd, false);
    const flight = new Flight(this.context, exchange, lookup, joinable);
    lookup.flight = flight;
    exchange.cache = lookup;
    exchange.upstreamKeeper = flight;
    return state;
  }

  private answerFromStore(exchange: ProxyExchange, entry: CachedResponse, age: number, ttl: number): void {
    const head = exchange.method === 'HEAD';
    const conditional =
      (head || exchange.method === 'GET') && notModified(exchange.requestHeaders, entry.headers);
    exchange.cacheSignal = conditional ? conditionalHitSignal(ttl) : hitSignal(ttl);
    const token = exchange.token;
    if (token !== undefined) this.context.countHit(token.id);
    exchange.answerLocally(
      conditional ? notModifiedAnswer(entry, age) : cachedAnswer(entry, age, head),
      'cache',
    );
  }

  /**
   * Asks the upstream whether a stored answer it is not served as is still holds (RFC 9111 §4.3.1), when the
   * client sent no validators of its own: a 304 then answers with the stored body (flight.ts).
   */
  private revalidate(exchange: ProxyExchange, lookup: CacheLookup, entry: CachedResponse): void {
    if (exchange.method !== 'GET' && exchange.method !== 'HEAD') return;
    const headers = exchange.requestHeaders;
    if (headers['if-none-match'] !== undefined || headers['if-modified-since'] !== undefined) return;
    const { etag, lastModified } = validatorsOf(entry.headers);
    if (etag === undefined && lastModified === undefined) return;
    const extra: Record<string, string> = {};
    if (etag !== undefined) extra['if-none-match'] = etag;
    if (lastModified !== undefined) extra['if-modified-since'] = lastModified;
    exchange.extraUpstreamHeaders = extra;
    lookup.revalidating = entry;
  }

  private bypassStore(exchange: ProxyExchange): Routed {
    exchange.cacheSignal = STORE_DOWN;
    return exchange as unknown as Routed;
  }

  /** Continues with a store's read in the same tick when it is synchronous (memory), else when it settles. */
  private then(
    read: StoreRead | Promise<StoreRead>,
    next: (item: StoreRead) => StepResult<Routed>,
  ): StepResult<Routed> {
    if (!(read instanceof Promise)) return next(read);
    return read.then<Routed | typeof ANSWERED>(next);
  }
}

function bodyKind(body: RequestBody): 'none' | 'read' | 'streamed' {
  const { payload } = body;
  if (payload === null) return 'none';
  if (Buffer.isBuffer(payload)) return payload.length === 0 ? 'none' : 'read';
  return 'streamed';
}
