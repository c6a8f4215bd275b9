import { collapsedSignal } from '../../cache/index.js';
import type { StoredHeaders } from '../../cache/index.js';
import type { ProxyExchange } from '../proxy-exchange.js';
import { AnswerPlayer } from '../taps/local-answer.js';
import type { ExchangeStart, ResponseHeaders } from '../taps/tap.js';

const CACHE_START: ExchangeStart = { source: 'cache' };
const COLLAPSED = collapsedSignal();

/** What a follower tells the flight it follows. */
export interface FollowedFlight {
  followerLeft(follower: Follower): void;
}

/**
 * A request collapsed onto another one's upstream answer: receives that answer as it arrives and plays it
 * through its own response chain (taps, metrics, its client), as if it came from the cache. Its player is the
 * controller of its chain: its client's backpressure holds chunks back there rather than slowing the upstream
 * every other client reads from, and its client leaving only takes it out of the flight.
 */
export class Follower {
  private player: AnswerPlayer | undefined;

  constructor(
    private readonly flight: FollowedFlight,
    readonly exchange: ProxyExchange,
  ) {}

  /**
   * Starts the answer with the stored form of the upstream's headers (no cookies, none of the proxy's own) and
   * the chunks that arrived so far.
   */
  start(status: number, headers: StoredHeaders, chunksSoFar: readonly Buffer[]): void {
    const { exchange } = this;
    exchange.cacheSignal = COLLAPSED;
    const chain = exchange.responseChain();
    const player = new AnswerPlayer(chain, chunksSoFar, false, () => {
      this.flight.followerLeft(this);
    });
    this.player = player;
    // The client leaving aborts the exchange's controller: this player.
    exchange.controller = player;
    chain.onRequestStart(player, CACHE_START);
    if (player.aborted) return;
    chain.onResponseStart(player, status, { ...headers } as ResponseHeaders);
    player.play();
  }

  data(chunk: Buffer): void {
    this.player?.append(chunk);
  }

  end(): void {
    this.player?.end();
  }

  /** The upstream failed after its answer began: this client sees the same failure. */
  fail(error: Error): void {
    this.player?.fail(error);
  }
}
