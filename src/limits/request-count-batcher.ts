import { epochMillis } from '../core/index.js';
import type { Clock, Logger } from '../core/index.js';
import type { TokenRepository } from '../store/index.js';

/** Options for {@link RequestCountBatcher}. */
export interface RequestCountBatcherOptions {
  readonly tokens: Pick<TokenRepository, 'addUsage'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How often counts are written. @default 5000 */
  readonly flushIntervalMs?: number;
  /**
   * Pending requests that start a write before the interval is up, which bounds what a crash (`kill -9`)
   * loses under load; 0 writes on the interval only. @default 100
   */
  readonly flushThreshold?: number;
}

interface Pending {
  requests: number;
  cacheHits: number;
  /** Epoch milliseconds: a number rather than a Date, so that counting a request allocates nothing. */
  lastUsedAtMs: number;
}

/**
 * Counts requests of tokens without a quota, and cache hits of every token, in memory and writes them in
 * batches (`request_count += n`, `cache_hit_count += n`), so
 * the hot path never waits for the database. Counts are flushed on a timer, as soon as `flushThreshold` are
 * pending, and on close; a failed write keeps its counts for the next flush instead of losing them.
 */
export class RequestCountBatcher {
  private pending = new Map<string, Pending>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private readonly nowMs: () => number;
  private readonly threshold: number;
  private pendingRequests = 0;
  private thresholdFlushQueued = false;

  constructor(private readonly options: RequestCountBatcherOptions) {
    this.nowMs = epochMillis(options.clock);
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? 5000);
    this.timer.unref();
    this.threshold = options.flushThreshold ?? 100;
  }

  /** Counts one request of a token. */
  record(tokenId: string): void {
    this.count(tokenId, 1, 0);
  }

  /** Counts one request of a token that the response cache answered: a use, but not against its quota. */
  recordCacheHit(tokenId: string): void {
    this.count(tokenId, 0, 1);
  }

  private count(tokenId: string, requests: number, cacheHits: number): void {
    const now = this.nowMs();
    const entry = this.pending.get(tokenId);
    if (entry === undefined) this.pending.set(tokenId, { requests, cacheHits, lastUsedAtMs: now });
    else {
      entry.requests += requests;
      entry.cacheHits += cacheHits;
      entry.lastUsedAtMs = now;
    }
    this.pendingRequests += 1;
    if (this.threshold > 0 && this.pendingRequests >= this.threshold && !this.thresholdFlushQueued) {
      this.thresholdFlushQueued = true;
      void this.flush();
    }
  }

  /** Writes every pending count. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writePending());
    return this.flushing;
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async writePending(): Promise<void> {
    this.thresholdFlushQueued = false;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.pendingRequests = 0;
    const usage = [...batch].map(([id, entry]) => ({
      id,
      requests: entry.requests,
      cacheHits: entry.cacheHits,
      lastUsedAt: new Date(entry.lastUsedAtMs),
    }));
    try {
      await this.options.tokens.addUsage(usage);
    } catch (error) {
      this.options.logger.warn(
        { err: error, tokens: usage.length },
        'writing token request counts failed; will retry',
      );
      for (const entry of usage) {
        const current = this.pending.get(entry.id);
        if (current === undefined) {
          this.pending.set(entry.id, {
            requests: entry.requests,
            cacheHits: entry.cacheHits,
            lastUsedAtMs: entry.lastUsedAt.getTime(),
          });
        } else {
          current.requests += entry.requests;
          current.cacheHits += entry.cacheHits;
        }
        this.pendingRequests += entry.requests + entry.cacheHits;
      }
      // No threshold writes until the next interval: a database that refuses writes is not retried per request.
      this.thresholdFlushQueued = true;
    }
  }
}
