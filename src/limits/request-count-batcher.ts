import { systemClock } from '../core/index.js';
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
  /** Epoch milliseconds: a number rather than a Date, so that counting a request allocates nothing. */
  lastUsedAtMs: number;
}

/**
 * Counts requests of tokens without a quota in memory and writes them in batches (`request_count += n`), so
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
    const { clock } = options;
    this.nowMs = clock === systemClock ? Date.now : () => clock.now().getTime();
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? 5000);
    this.timer.unref();
    this.threshold = options.flushThreshold ?? 100;
  }

  /** Counts one request of a token. */
  record(tokenId: string): void {
    const now = this.nowMs();
    const entry = this.pending.get(tokenId);
    if (entry === undefined) this.pending.set(tokenId, { requests: 1, lastUsedAtMs: now });
    else {
      entry.requests += 1;
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
          this.pending.set(entry.id, { requests: entry.requests, lastUsedAtMs: entry.lastUsedAt.getTime() });
        } else current.requests += entry.requests;
        this.pendingRequests += entry.requests;
      }
      // No threshold writes until the next interval: a database that refuses writes is not retried per request.
      this.thresholdFlushQueued = true;
    }
  }
}
