import type { Dispatcher } from 'undici';

import {
  forwardSignal,
  planStore,
  revalidatedSignal,
  variantKey,
  varyValuesHash,
} from '../../cache/index.js';
import type { CachedResponse, StoredHeaders } from '../../cache/index.js';
import type { ProxyExchange } from '../proxy-exchange.js';
import type { Routed, UpstreamKeeper } from '../request-state.js';
import { ANSWERED } from '../step-runner.js';
import type { ExchangeHandler, ExchangeStart, ResponseHeaders } from '../taps/tap.js';
import { CLIENT_GONE } from '../taps/upstream-link.js';
import type { CacheLookup } from './cache-lookup.js';
import { Follower } from './follower.js';
import type { FollowedFlight } from './follower.js';
import type { ProxyCacheContext } from './proxy-cache-context.js';
import { compactChunks } from './compact-chunks.js';
import { endsInErrorEvent } from './stream-completeness.js';

/** The answer a flight relays, as later clients receive it. */
interface SharedAnswer {
  readonly status: number;
  readonly headers: StoredHeaders;
  readonly ttlMs: number;
  /** Request headers it varies on, and the leader's values of them. */
  readonly vary: readonly string[];
  readonly varyHash: string | undefined;
  readonly stream: boolean;
  /** Where a revalidated entry goes back to (its variant's key, or the primary); undefined for a new answer. */
  readonly storeAt?: string;
}

/** A request that arrived while the flight's answer had not begun: it waits for the upstream's headers. */
class Waiter implements UpstreamKeeper {
  gone = false;

  constructor(
    private readonly flight: Flight,
    readonly exchange: ProxyExchange,
    readonly settle: (result: Routed | typeof ANSWERED) => void,
  ) {}

  clientLeft(): boolean {
    this.gone = true;
    this.flight.waiterLeft();
    return false;
  }
}

/**
 * The answer of one cacheable request on its way from the upstream, as a link of the leader's response chain
 * (the cache capture tap puts it there). It relays every chunk to the leader at once — capturing adds no
 * latency — and to every identical request that arrived meanwhile (the followers), keeps the chunks while the
 * answer may still be stored, and stores it once complete: never an answer the upstream or every client cut,
 * one that ended in an error event, or one over HTTP_CACHE_MAX_OBJECT_BYTES.
 *
 * Followers share only an answer the cache could store: anything else (a 500, a `private` answer) is never
 * shown to another client — the waiting requests are let go, each upstream on its own. The upstream request
 * is aborted only when the leader's client and every follower have gone.
 */
export class Flight implements ExchangeHandler, FollowedFlight, UpstreamKeeper {
  private next: ExchangeHandler | undefined;
  private waiters: Waiter[] = [];
  private readonly followers = new Set<Follower>();
  private answer: SharedAnswer | undefined;
  /** The body so far, while the answer may be stored or joined; dropped when it cannot be any more. */
  private chunks: Buffer[] | undefined = [];
  private bytes = 0;
  /** The stored answer an upstream 304 confirmed: relayed instead of the 304. */
  private replacing: CachedResponse | undefined;
  private ended = false;
  private closed = false;
  private leaderGone = false;

  constructor(
    private readonly context: ProxyCacheContext,
    private readonly exchange: ProxyExchange,
    private readonly lookup: CacheLookup,
    /** Whether identical requests may join it (registered in `context.flights`). */
    private readonly joinable: boolean,
  ) {
    if (joinable) context.flights.set(lookup.key, this);
  }

  /** Links the flight in front of the leader's response chain. */
  wrap(next: ExchangeHandler): ExchangeHandler {
    this.next = next;
    return this;
  }

  /**
   * Adds an identical request: answered at once when the answer has begun, else when its headers arrive —
   * or let go, upstream on its own, when the answer turns out not to be shareable.
   */
  join(state: Routed): Routed | typeof ANSWERED | Promise<Routed | typeof ANSWERED> {
    const exchange = state as unknown as ProxyExchange;
    if (this.answer !== undefined) {
      if (this.shareableWith(exchange)) {
        this.follow(exchange);
        return ANSWERED;
      }
      exchange.collapseAllowed = false;
      return state;
    }
    return new Promise((resolve) => {
      const waiter = new Waiter(this, exchange, resolve);
      exchange.upstreamKeeper = waiter;
      this.waiters.push(waiter);
    });
  }

  /** Whether a request may still join (the answer may still be stored and its body so far is kept). */
  get open(): boolean {
    return !this.closed && this.chunks !== undefined;
  }

  onRequestStart(controller: Dispatcher.DispatchController, start: ExchangeStart): void {
    // The leader was answered by the proxy itself (a refusal after the lookup): nothing to share.
    if (start.source !== 'upstream') this.close();
    this.forward().onRequestStart(controller, start);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: ResponseHeaders,
    statusMessage?: string,
  ): void {
    const next = this.forward();
    if (this.closed) {
      next.onResponseStart(controller, statusCode, headers, statusMessage);
      return;
    }
    const { lookup, exchange, context } = this;
    const revalidated = lookup.revalidating;
    if (revalidated !== undefined && statusCode === 304) {
      this.replacing = revalidated;
      const ttlMs = Math.max(0, revalidated.expiresAt - revalidated.storedAt);
      exchange.cacheSignal = revalidatedSignal(Math.round(ttlMs / 1000));
      this.begin({
        status: revalidated.status,
        headers: revalidated.headers,
        ttlMs,
        vary: [],
        varyHash: undefined,
        stream: false,
        storeAt: lookup.key,
      });
      next.onResponseStart(controller, revalidated.status, {
        ...revalidated.headers,
        age: '0',
      });
      this.admitWaiters();
      return;
    }
    const plan = planStore({
      method: exchange.method,
      status: statusCode,
      headers,
      forcedTtlMs: lookup.plan.forcedTtlMs,
      defaultTtlMs: context.defaultTtlMs,
      streamResponses: context.streamResponses,
      maxObjectBytes: context.maxObjectBytes,
    });
    if (!plan.store) {
      exchange.cacheSignal = forwardSignal(lookup.fwd, false, undefined, plan.reason);
      this.close();
      next.onResponseStart(controller, statusCode, headers, statusMessage);
      return;
    }
    exchange.cacheSignal = forwardSignal(lookup.fwd, true, Math.round(plan.ttlMs / 1000));
    this.begin({
      status: statusCode,
      headers: plan.headers,
      ttlMs: plan.ttlMs,
      vary: plan.vary,
      varyHash: plan.vary.length === 0 ? undefined : varyValuesHash(plan.vary, exchange.requestHeaders),
      stream: plan.stream,
    });
    next.onResponseStart(controller, statusCode, headers, statusMessage);
    this.admitWaiters();
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.answer !== undefined && this.replacing === undefined && !this.ended) {
      this.bytes += chunk.length;
      if (this.chunks !== undefined) {
        if (this.bytes > this.context.maxObjectBytes) this.stopKeeping();
        else this.chunks.push(chunk);
      }
      for (const follower of this.followers) follower.data(chunk);
    }
    // The body of an upstream 304 (there is none by definition) is not relayed in place of the stored one.
    if (this.replacing === undefined) this.forward().onResponseData(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: ResponseHeaders): void {
    const next = this.forward();
    if (this.answer === undefined || this.closed) {
      this.close();
      next.onResponseEnd(controller, trailers);
      return;
    }
    const replacing = this.replacing;
    if (replacing !== undefined) {
      const chunks = this.exchange.method === 'HEAD' ? [] : replacing.chunks;
      for (const chunk of chunks) {
        next.onResponseData(controller, chunk);
        for (const follower of this.followers) follower.data(chunk);
      }
      this.chunks = [...chunks];
    }
    this.ended = true;
    for (const follower of this.followers) follower.end();
    next.onResponseEnd(controller, trailers);
    this.store();
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    for (const follower of this.followers) follower.fail(error);
    this.followers.clear();
    this.close();
    this.forward().onResponseError(controller, error);
  }

  /** The leader's client left; true when followers still read the answer, which then keeps coming. */
  clientLeft(): boolean {
    this.leaderGone = true;
    return this.followers.size > 0 || this.waiters.some((waiter) => !waiter.gone);
  }

  followerLeft(follower: Follower): void {
    this.followers.delete(follower);
    this.abortWhenAbandoned();
  }

  waiterLeft(): void {
    this.abortWhenAbandoned();
  }

  private forward(): ExchangeHandler {
    if (this.next === undefined) throw new Error('cache flight used before it was linked');
    return this.next;
  }

  private begin(answer: SharedAnswer): void {
    this.answer = answer;
  }

  /** Lets the waiting requests follow the answer that has begun, or go upstream themselves. */
  private admitWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      if (waiter.gone) {
        waiter.settle(ANSWERED);
        continue;
      }
      waiter.exchange.upstreamKeeper = undefined;
      if (this.shareableWith(waiter.exchange)) {
        this.follow(waiter.exchange);
        waiter.settle(ANSWERED);
      } else {
        this.letGo(waiter);
      }
    }
  }

  /** Lets every waiting request go upstream on its own. */
  private releaseWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      waiter.exchange.upstreamKeeper = undefined;
      if (waiter.gone) waiter.settle(ANSWERED);
      else this.letGo(waiter);
    }
  }

  /** Sends a waiting request upstream on its own, without joining or leading another flight. */
  private letGo(waiter: Waiter): void {
    const { exchange } = waiter;
    exchange.collapseAllowed = false;
    exchange.cacheSignal = forwardSignal(this.lookup.fwd, false, undefined, 'not-shareable');
    waiter.settle(exchange as unknown as Routed);
  }

  private shareableWith(exchange: ProxyExchange): boolean {
    const answer = this.answer;
    if (answer === undefined || exchange.clientGone) return false;
    return (
      answer.varyHash === undefined ||
      varyValuesHash(answer.vary, exchange.requestHeaders) === answer.varyHash
    );
  }

  /** Starts a follower on the answer: its headers, the chunks so far, then live. */
  private follow(exchange: ProxyExchange): void {
    const answer = this.answer as SharedAnswer;
    const follower = new Follower(this, exchange);
    this.followers.add(follower);
    const token = exchange.token;
    if (token !== undefined) this.context.countHit(token.id);
    // A copy: the flight keeps adding to its own list, the follower is given what came since by `data`.
    follower.start(answer.status, answer.headers, [...(this.chunks ?? [])]);
    if (this.ended) {
      follower.end();
      this.followers.delete(follower);
    }
  }

  /** The answer grew past what is stored: it is still relayed, but not kept or joined any more. */
  private stopKeeping(): void {
    this.chunks = undefined;
    this.unregister();
  }

  private store(): void {
    const { answer, chunks, lookup, context, exchange } = this;
    this.followers.clear();
    if (answer === undefined || chunks === undefined || (answer.stream && endsInErrorEvent(chunks))) {
      this.close();
      return;
    }
    const now = context.now();
    const expiresAt = now + answer.ttlMs;
    const entry: CachedResponse = {
      kind: 'response',
      status: answer.status,
      headers: answer.headers,
      chunks: exchange.method === 'HEAD' ? [] : compactChunks(chunks, answer.stream),
      storedAt: now,
      expiresAt,
      origin: lookup.origin,
    };
    const writes: (boolean | Promise<boolean>)[] = [];
    // A new answer without a Vary replaces whatever the primary key held (a marker of an earlier Vary too).
    if (answer.varyHash === undefined)
      writes.push(context.store.set(answer.storeAt ?? lookup.primary, entry));
    else {
      writes.push(
        context.store.set(lookup.primary, {
          kind: 'vary',
          headers: answer.vary,
          expiresAt,
          origin: lookup.origin,
        }),
        context.store.set(variantKey(lookup.primary, answer.varyHash), entry),
      );
    }
    // Joinable until the entry can be read: a request arriving meanwhile gets the whole answer from here.
    if (writes.some((write) => write instanceof Promise)) {
      void Promise.all(writes.map((write) => Promise.resolve(write))).finally(() => {
        this.close();
      });
    } else this.close();
  }

  private abortWhenAbandoned(): void {
    if (!this.leaderGone || this.followers.size > 0 || this.waiters.some((waiter) => !waiter.gone)) return;
    this.exchange.controller?.abort(CLIENT_GONE);
  }

  /** Nothing more is shared or stored; waiting requests go their own way. */
  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.chunks = undefined;
    this.unregister();
    this.releaseWaiters();
  }

  private unregister(): void {
    const { flights } = this.context;
    if (this.joinable && flights.get(this.lookup.key) === this) flights.delete(this.lookup.key);
  }
}
