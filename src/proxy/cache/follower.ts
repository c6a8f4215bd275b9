import type { Dispatcher } from 'undici';

import { collapsedSignal } from '../../cache/index.js';
import type { StoredHeaders } from '../../cache/index.js';
import type { ProxyExchange } from '../proxy-exchange.js';
import type { ExchangeHandler, ExchangeStart, ResponseHeaders } from '../taps/tap.js';

const CACHE_START: ExchangeStart = { source: 'cache' };
const NO_TRAILERS: ResponseHeaders = {};
const COLLAPSED = collapsedSignal();

/** What a follower tells the flight it follows. */
export interface FollowedFlight {
  followerLeft(follower: Follower): void;
}

/**
 * A request collapsed onto another one's upstream answer: receives that answer as it arrives and plays it
 * through its own response chain (taps, metrics, its client), as if it came from the cache. It is the
 * controller of its chain: its client's backpressure queues chunks here rather than slowing the upstream
 * every other client reads from, and its client leaving only takes it out of the flight.
 */
export class Follower implements Dispatcher.DispatchController {
  private chain: ExchangeHandler | undefined;
  private queue: Buffer[] = [];
  private endQueued = false;
  private isPaused = false;
  private abortReason: Error | null = null;
  private done = false;

  constructor(
    private readonly flight: FollowedFlight,
    readonly exchange: ProxyExchange,
  ) {}

  get aborted(): boolean {
    return this.abortReason !== null;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  get reason(): Error | null {
    return this.abortReason;
  }

  /** Starts the answer: the stored form of the upstream's headers (no cookies, none of the proxy's own). */
  start(status: number, headers: StoredHeaders): void {
    const { exchange } = this;
    exchange.cacheSignal = COLLAPSED;
    exchange.controller = this;
    const chain = exchange.responseChain();
    this.chain = chain;
    chain.onRequestStart(this, CACHE_START);
    if (this.done) return;
    chain.onResponseStart(this, status, { ...headers } as ResponseHeaders);
  }

  data(chunk: Buffer): void {
    if (this.done || this.chain === undefined) return;
    if (this.isPaused || this.queue.length > 0) this.queue.push(chunk);
    else this.chain.onResponseData(this, chunk);
  }

  end(): void {
    if (this.done || this.chain === undefined) return;
    if (this.isPaused || this.queue.length > 0) {
      this.endQueued = true;
      return;
    }
    this.done = true;
    this.chain.onResponseEnd(this, NO_TRAILERS);
  }

  /** The upstream failed after its answer began: this client sees the same failure. */
  fail(error: Error): void {
    if (this.done || this.chain === undefined) return;
    this.done = true;
    this.queue = [];
    this.chain.onResponseError(this, error);
  }

  pause(): void {
    this.isPaused = true;
  }

  resume(): void {
    if (!this.isPaused) return;
    this.isPaused = false;
    const { chain } = this;
    if (chain === undefined) return;
    // Each chunk may pause the chain again (the client's socket is full): look before every one.
    while (this.deliverable() && this.queue.length > 0) {
      chain.onResponseData(this, this.queue.shift() as Buffer);
    }
    if (this.deliverable() && this.endQueued) {
      this.done = true;
      chain.onResponseEnd(this, NO_TRAILERS);
    }
  }

  private deliverable(): boolean {
    return !this.done && !this.isPaused;
  }

  /** Its client went away (the exchange aborts its controller). */
  abort(reason: Error): void {
    if (this.done) return;
    this.abortReason = reason;
    this.done = true;
    this.queue = [];
    this.flight.followerLeft(this);
    this.chain?.onResponseError(this, reason);
  }
}
