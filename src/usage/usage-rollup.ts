import type { Logger } from '../core/index.js';
import type { UsageDelta, UsageRepository } from '../store/index.js';
import { estimateCostUsd } from './prices.js';
import type { PriceTable } from './prices.js';
import type { TokenUsage } from './token-usage.js';

const HOUR_MS = 3_600_000;
/** Model names come from client request bodies: kept short, and without NUL, which PostgreSQL text refuses. */
const MAX_MODEL_LENGTH = 200;
/** A failing database is reported at most this often, with what was kept and dropped meanwhile. */
const FAILURE_LOG_INTERVAL_MS = 60_000;

/** One finished exchange as the usage rollup needs it: plain values, no framework objects. */
export interface UsageExchange {
  /** Null when the request was refused before its project was known: such exchanges are not stored. */
  readonly projectId: string | null;
  readonly tokenId: string | null;
  /** The model the request named; null when it named none. */
  readonly model: string | null;
  /** When the request arrived, epoch milliseconds (it is counted in that UTC hour). */
  readonly at: number;
  /** The tokens it used; null when none were reported or estimated. */
  readonly usage: TokenUsage | null;
  /** The proxy's response cache answered: counted as a request and a cache hit, its tokens are not counted. */
  readonly cacheHit: boolean;
  /** The client received a status of 400 or more, or the exchange did not complete. */
  readonly error: boolean;
}

/** Options of {@link UsageRollup}. */
export interface UsageRollupOptions {
  /** Where the deltas go: the store's usage repository. */
  readonly repository: Pick<UsageRepository, 'add'>;
  /** Prices the estimated cost is computed with when an exchange is recorded. */
  readonly prices: PriceTable;
  readonly logger: Logger;
  /** How often pending usage is written; 0 = only by {@link UsageRollup.flush} and on close. @default 5000 */
  readonly flushIntervalMs?: number;
  /**
   * Most rows (project, token, model, hour) kept in memory while the database cannot be written; beyond it the
   * oldest are dropped, counted and logged. @default 10000
   */
  readonly maxPendingKeys?: number;
}

/** What a rollup holds and has lost. */
export interface UsageRollupStats {
  /** Rows waiting to be written. */
  readonly pendingKeys: number;
  /** Rows dropped because too many were waiting (or recorded after close). */
  readonly droppedKeys: number;
  /** Requests those dropped rows counted. */
  readonly droppedRequests: number;
  /** Flushes that failed (their usage was kept for the next one). */
  readonly failedFlushes: number;
}

/** Counters of one pending row, changed in place: recording allocates nothing for a known row. */
interface PendingRow {
  readonly projectId: string;
  readonly tokenId: string;
  readonly model: string;
  readonly hourMs: number;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  cacheHits: number;
  errors: number;
  estimatedRequests: number;
  unpricedRequests: number;
  costUsd: number;
}

/**
 * Sums finished exchanges in memory per project, token, model and UTC hour and adds them to the database in
 * one batch every `flushIntervalMs`, so that counting usage costs no database round trip per request. The
 * repository adds rather than overwrites, so several instances may flush into the same rows. A failed flush
 * keeps its usage for the next one; only beyond `maxPendingKeys` rows is the oldest usage dropped, never a
 * request delayed or failed.
 */
export class UsageRollup {
  private readonly repository: Pick<UsageRepository, 'add'>;
  private readonly prices: PriceTable;
  private readonly logger: Logger;
  private readonly maxPendingKeys: number;
  private readonly timer: NodeJS.Timeout | undefined;
  private pending = new Map<string, PendingRow>();
  private flushing: Promise<unknown> = Promise.resolve();
  /** Flushes started and not yet finished. */
  private running = 0;
  private closed = false;
  private droppedKeys = 0;
  private droppedRequests = 0;
  private failedFlushes = 0;
  /** Drops and failures not yet reported in the log. */
  private unreported = { droppedKeys: 0, droppedRequests: 0, failures: 0, loggedAt: -Infinity };
  /** The last flush failed: the next successful one is reported. */
  private failing = false;

  constructor(options: UsageRollupOptions) {
    this.repository = options.repository;
    this.prices = options.prices;
    this.logger = options.logger;
    this.maxPendingKeys = Math.max(1, options.maxPendingKeys ?? 10_000);
    const interval = options.flushIntervalMs ?? 5_000;
    if (interval > 0) {
      // A tick while a slow flush still runs is skipped rather than queued behind it.
      this.timer = setInterval(() => {
        if (this.running === 0) void this.flush();
      }, interval);
      // Pending usage never keeps the process alive; close() writes it.
      this.timer.unref();
    }
  }

  /** Counts one finished exchange; synchronous, no I/O. Exchanges without a project are not counted. */
  record(exchange: UsageExchange): void {
    if (exchange.projectId === null) return;
    if (this.closed) {
      this.dropped(1, 1);
      return;
    }
    const model = exchange.model === null ? '' : cleanModel(exchange.model);
    const row = this.rowFor(exchange.projectId, exchange.tokenId ?? '', model, exchange.at);
    row.requests += 1;
    if (exchange.error) row.errors += 1;
    if (exchange.cacheHit) {
      // Nothing was paid for a cached answer: its tokens were counted when the upstream produced it.
      row.cacheHits += 1;
      return;
    }
    const { usage } = exchange;
    if (usage === null) return;
    row.inputTokens += usage.inputTokens;
    row.outputTokens += usage.outputTokens;
    row.cachedTokens += usage.cachedTokens;
    row.reasoningTokens += usage.reasoningTokens;
    if (usage.estimated) row.estimatedRequests += 1;
    const price = this.prices.priceOf(model);
    if (price === undefined) row.unpricedRequests += 1;
    else row.costUsd += estimateCostUsd(price, usage);
  }

  /**
   * Writes the pending usage; resolves true when it was written (or there was none), false when the write
   * failed and the usage was kept for the next flush. Never rejects; flushes run one after the other.
   */
  flush(): Promise<boolean> {
    this.running += 1;
    const run = this.flushing
      .then(() => this.flushOnce())
      .finally(() => {
        this.running -= 1;
      });
    this.flushing = run;
    return run;
  }

  /** Stops the timer and writes what is pending; usage that still cannot be written is logged as lost. */
  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.closed = true;
    if (await this.flush()) return;
    const lost = [...this.pending.values()].reduce((sum, row) => sum + row.requests, 0);
    this.logger.error(
      { pendingKeys: this.pending.size, requests: lost },
      'usage could not be written before shutdown; these counts are lost',
    );
  }

  /** Counts of what is pending and what was lost so far. */
  stats(): UsageRollupStats {
    return {
      pendingKeys: this.pending.size,
      droppedKeys: this.droppedKeys,
      droppedRequests: this.droppedRequests,
      failedFlushes: this.failedFlushes,
    };
  }

  private rowFor(projectId: string, tokenId: string, model: string, at: number): PendingRow {
    const hourMs = Math.floor(at / HOUR_MS) * HOUR_MS;
    const key = `${projectId}\u0000${tokenId}\u0000${model}\u0000${String(hourMs)}`;
    let row = this.pending.get(key);
    if (row === undefined) {
      if (this.pending.size >= this.maxPendingKeys)
        this.dropOldest(this.pending.size - this.maxPendingKeys + 1);
      row = emptyRow(projectId, tokenId, model, hourMs);
      this.pending.set(key, row);
    }
    return row;
  }

  private async flushOnce(): Promise<boolean> {
    if (this.pending.size === 0) {
      this.reportTrouble(undefined);
      return true;
    }
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.repository.add([...batch.values()].map(toDelta));
      this.reportTrouble(undefined);
      return true;
    } catch (error) {
      this.failedFlushes += 1;
      this.unreported.failures += 1;
      this.restore(batch);
      this.reportTrouble(error);
      return false;
    }
  }

  /** Puts a batch that could not be written back in front of what was recorded meanwhile (it is older). */
  private restore(batch: Map<string, PendingRow>): void {
    for (const [key, row] of this.pending) {
      const older = batch.get(key);
      if (older === undefined) batch.set(key, row);
      else addInto(older, row);
    }
    this.pending = batch;
    if (batch.size > this.maxPendingKeys) this.dropOldest(batch.size - this.maxPendingKeys);
  }

  private dropOldest(count: number): void {
    let left = count;
    for (const [key, row] of this.pending) {
      if (left === 0) break;
      this.pending.delete(key);
      this.dropped(1, row.requests);
      left -= 1;
    }
  }

  private dropped(keys: number, requests: number): void {
    this.droppedKeys += keys;
    this.droppedRequests += requests;
    this.unreported.droppedKeys += keys;
    this.unreported.droppedRequests += requests;
  }

  /**
   * Logs failures and drops since the last report (never from record()): a failing database or a stream of
   * drops at most once a minute, the recovery of the database at once.
   */
  private reportTrouble(error: unknown): void {
    const { unreported } = this;
    const now = Date.now();
    const due = now - unreported.loggedAt >= FAILURE_LOG_INTERVAL_MS;
    const recovered = error === undefined && this.failing;
    this.failing = error !== undefined;
    if (!recovered && !(due && (unreported.failures > 0 || unreported.droppedKeys > 0))) return;
    const counts = {
      failedFlushes: unreported.failures,
      droppedKeys: unreported.droppedKeys,
      droppedRequests: unreported.droppedRequests,
      pendingKeys: this.pending.size,
    };
    if (error !== undefined) {
      this.logger.warn({ err: error, ...counts }, 'writing usage failed; the counts are kept and retried');
    } else if (recovered) {
      this.logger.warn(counts, 'usage is written again after failed flushes');
    } else {
      this.logger.warn(counts, 'usage rows were dropped: more rows were pending than maxPendingKeys');
    }
    this.unreported = { droppedKeys: 0, droppedRequests: 0, failures: 0, loggedAt: now };
  }
}

function cleanModel(model: string): string {
  const clean = model.includes('\u0000') ? model.replaceAll('\u0000', '') : model;
  return clean.length > MAX_MODEL_LENGTH ? clean.slice(0, MAX_MODEL_LENGTH) : clean;
}

function emptyRow(projectId: string, tokenId: string, model: string, hourMs: number): PendingRow {
  return {
    projectId,
    tokenId,
    model,
    hourMs,
    requests: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedTokens: 0,
    reasoningTokens: 0,
    cacheHits: 0,
    errors: 0,
    estimatedRequests: 0,
    unpricedRequests: 0,
    costUsd: 0,
  };
}

function addInto(target: PendingRow, row: PendingRow): void {
  target.requests += row.requests;
  target.inputTokens += row.inputTokens;
  target.outputTokens += row.outputTokens;
  target.cachedTokens += row.cachedTokens;
  target.reasoningTokens += row.reasoningTokens;
  target.cacheHits += row.cacheHits;
  target.errors += row.errors;
  target.estimatedRequests += row.estimatedRequests;
  target.unpricedRequests += row.unpricedRequests;
  target.costUsd += row.costUsd;
}

function toDelta(row: PendingRow): UsageDelta {
  const { hourMs, ...rest } = row;
  return { ...rest, hour: new Date(hourMs) };
}
