import { AppError, ERRORS, systemClock } from '../core/index.js';
import type { Clock, Logger } from '../core/index.js';
import { decodeCacheItem, encodeCacheItem } from './cache-item-codec.js';
import { escapeGlob, selectorGlob } from './cache-key-layout.js';
import { STORE_UNAVAILABLE } from './cache-store.js';
import type {
  CacheStore,
  CacheStoreCounters,
  CacheStoreStats,
  PurgeSelector,
  StoreRead,
} from './cache-store.js';
import type { CacheItem } from './cached-response.js';

/** Sums the value lengths of the keys it is given (one round trip per SCAN step of {@link RedisCacheStore.stats}). */
const SUM_LENGTHS_SCRIPT =
  "local bytes = 0 for _, key in ipairs(KEYS) do bytes = bytes + redis.call('STRLEN', key) end return bytes";

/** ioredis' states of a client that has not been connected yet. */
const STARTING: ReadonlySet<string> = new Set(['wait', 'connecting', 'connect']);

/** The commands of an ioredis client the store uses. */
export interface RedisCacheClient {
  /** ioredis' connection state: commands are sent only when it is `ready`. */
  readonly status: string;
  getBuffer(key: string): Promise<Buffer | null>;
  set(key: string, value: Buffer, expiryToken: 'PX', milliseconds: number): Promise<unknown>;
  scan(
    cursor: string,
    matchToken: 'MATCH',
    pattern: string,
    countToken: 'COUNT',
    count: number,
  ): Promise<[cursor: string, keys: string[]]>;
  unlink(...keys: string[]): Promise<number>;
  eval(script: string, numberOfKeys: number, ...keys: string[]): Promise<unknown>;
  on(event: 'ready', listener: () => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
}

/** Options of {@link RedisCacheStore}. */
export interface RedisCacheStoreOptions {
  /** Opened by the composition root, which closes it too. */
  readonly client: RedisCacheClient;
  readonly logger: Logger;
  /** Put in front of every key (`REDIS_CACHE_KEY_PREFIX`). */
  readonly keyPrefix: string;
  /** Longest a `get` or `set` waits for Redis (`REDIS_CACHE_TIMEOUT`). */
  readonly timeoutMs: number;
  /** Keys examined per `SCAN` step (`REDIS_SCAN_COUNT`). @default 2048 */
  readonly scanCount?: number;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Consecutive failed commands that open the circuit. @default 3 */
  readonly failureThreshold?: number;
  /** How long an open circuit waits before it lets one trial command through. @default 1000 */
  readonly cooldownMs?: number;
  /** Longest wait for one `SCAN` or `UNLINK` step of a purge or of the stats. @default 5000 */
  readonly scanStepTimeoutMs?: number;
  /** How long the figures of `stats()` are reused before the keys are counted again. @default 30000 */
  readonly statsMaxAgeMs?: number;
}

/**
 * The cache shared by every instance: one Redis key per item (`keyPrefix` + key), its value in the binary
 * codec, its lifetime kept by Redis (`PX`).
 *
 * Redis may be slow or away, and a request must never wait for it longer than `timeoutMs`: every command
 * races a timer, and nothing is sent while the client is not connected (ioredis would queue it and run it
 * late). After `failureThreshold` consecutive failures, or as soon as the client is not connected, a circuit
 * opens: `get` answers {@link STORE_UNAVAILABLE} synchronously and `set` false, without sending anything,
 * until the client reconnects (`ready`) or a trial command after `cooldownMs` succeeds (a server that
 * stalls keeps the connection up). One warning per outage, one info line when Redis is back.
 *
 * A `set` that timed out may still be carried out when a stalled server wakes: its relative `PX` then lets
 * the item live that much longer in Redis, but a read never returns an item past its `expiresAt`.
 */
export class RedisCacheStore implements CacheStore {
  readonly backend = 'redis';
  private readonly client: RedisCacheClient;
  private readonly logger: Logger;
  private readonly keyPrefix: string;
  private readonly timeoutMs: number;
  private readonly scanCount: number;
  private readonly clock: Clock;
  private readonly failureThreshold: number;
  private readonly cooldownMs: number;
  private readonly scanStepTimeoutMs: number;
  private readonly statsMaxAgeMs: number;
  private consecutiveFailures = 0;
  /** When the circuit opened (epoch ms); undefined while it is closed. */
  private openedAt: number | undefined;
  private trialInFlight = false;
  private outageReported = false;
  private undecodableReported = false;
  private errors = 0;
  private closed = false;
  /** Whether the client has been connected since the store was built. */
  private everReady: boolean;
  private lastStats: { readonly at: number; readonly stats: CacheStoreStats } | undefined;
  private statsInFlight: Promise<CacheStoreStats> | undefined;

  constructor(options: RedisCacheStoreOptions) {
    this.client = options.client;
    this.logger = options.logger;
    this.keyPrefix = options.keyPrefix;
    this.timeoutMs = options.timeoutMs;
    this.scanCount = options.scanCount ?? 2048;
    this.clock = options.clock ?? systemClock;
    this.failureThreshold = options.failureThreshold ?? 3;
    this.cooldownMs = options.cooldownMs ?? 1000;
    this.scanStepTimeoutMs = options.scanStepTimeoutMs ?? 5000;
    this.statsMaxAgeMs = options.statsMaxAgeMs ?? 30_000;
    this.everReady = this.client.status === 'ready';
    this.client.on('ready', this.onReady);
  }

  get(key: string): StoreRead | Promise<StoreRead> {
    const admission = this.admit();
    if (admission === 'refused') return STORE_UNAVAILABLE;
    return this.read(key, admission === 'trial');
  }

  set(key: string, item: CacheItem): boolean | Promise<boolean> {
    const ttlMs = Math.ceil(item.expiresAt - this.clock.now().getTime());
    if (ttlMs <= 0) return false;
    const admission = this.admit();
    if (admission === 'refused') return false;
    return this.write(key, encodeCacheItem(item), ttlMs, admission === 'trial');
  }

  /** Deletes with `SCAN MATCH` and `UNLINK`, one step at a time; rejects (503) when Redis cannot be reached. */
  async purge(selector: PurgeSelector): Promise<number> {
    if (this.closed || this.client.status !== 'ready') throw purgeUnavailable();
    const pattern = escapeGlob(this.keyPrefix) + selectorGlob(selector);
    let deleted = 0;
    try {
      await this.scanKeys(pattern, async (keys) => {
        deleted += await withTimeout(this.client.unlink(...keys), this.scanStepTimeoutMs);
      });
    } catch (error) {
      throw purgeUnavailable(error);
    }
    return deleted;
  }

  /**
   * The keys under the prefix and the bytes of their values, counted by a `SCAN` at most every
   * `statsMaxAgeMs` (a metrics scrape in between gets the last figures at once); while Redis is unreachable,
   * the last figures known.
   */
  stats(): Promise<CacheStoreStats> {
    const last = this.lastStats;
    if (last !== undefined && this.clock.now().getTime() - last.at < this.statsMaxAgeMs) {
      return Promise.resolve(last.stats);
    }
    this.statsInFlight ??= this.countKeys().finally(() => {
      this.statsInFlight = undefined;
    });
    return this.statsInFlight;
  }

  counters(): CacheStoreCounters {
    return { evictions: 0, expired: 0, errors: this.errors };
  }

  /** Stops listening to the client; the client itself belongs to whoever opened it. */
  close(): Promise<void> {
    this.closed = true;
    this.client.off('ready', this.onReady);
    return Promise.resolve();
  }

  private async read(key: string, trial: boolean): Promise<StoreRead> {
    let value: Buffer | null;
    try {
      value = await withTimeout(this.client.getBuffer(this.keyPrefix + key), this.timeoutMs);
    } catch (error) {
      this.failed(error, trial);
      return STORE_UNAVAILABLE;
    }
    this.succeeded(trial);
    if (value === null) return undefined;
    const item = decodeCacheItem(value);
    if (item === undefined) {
      this.discard(key);
      return undefined;
    }
    // Redis expires the key itself; this covers a late write and the clocks of two machines.
    return item.expiresAt <= this.clock.now().getTime() ? undefined : item;
  }

  private async write(key: string, value: Buffer, ttlMs: number, trial: boolean): Promise<boolean> {
    try {
      await withTimeout(this.client.set(this.keyPrefix + key, value, 'PX', ttlMs), this.timeoutMs);
    } catch (error) {
      this.failed(error, trial);
      return false;
    }
    this.succeeded(trial);
    return true;
  }

  /** A value this version cannot read (another codec version, or not ours) is a miss, and goes. */
  private discard(key: string): void {
    if (!this.undecodableReported) {
      this.undecodableReported = true;
      this.logger.warn(
        { backend: 'redis' },
        'a cached value in Redis could not be decoded (written by another version?): it is deleted and read as a miss',
      );
    }
    this.client.unlink(this.keyPrefix + key).catch(() => undefined);
  }

  private admit(): Admission {
    if (this.closed) return 'refused';
    if (this.client.status !== 'ready') {
      this.errors += 1;
      // A client still making its first connection (the gateway starts without waiting for Redis) is no outage.
      if (this.everReady || !STARTING.has(this.client.status)) this.open({ reason: 'disconnected' }, false);
      return 'refused';
    }
    if (this.openedAt === undefined) return 'closed';
    if (this.trialInFlight || this.clock.now().getTime() - this.openedAt < this.cooldownMs) {
      this.errors += 1;
      return 'refused';
    }
    this.trialInFlight = true;
    return 'trial';
  }

  private succeeded(trial: boolean): void {
    if (trial) this.trialInFlight = false;
    this.consecutiveFailures = 0;
    if (this.openedAt !== undefined) this.recover();
  }

  private failed(error: unknown, trial: boolean): void {
    this.errors += 1;
    this.consecutiveFailures += 1;
    if (trial) this.trialInFlight = false;
    if (trial || this.consecutiveFailures >= this.failureThreshold) this.open(failureFields(error), trial);
  }

  /** Opens the circuit, or (after a failed trial) restarts its cooldown. */
  private open(fields: Record<string, unknown>, restart: boolean): void {
    if (this.openedAt === undefined || restart) this.openedAt = this.clock.now().getTime();
    if (this.outageReported) return;
    this.outageReported = true;
    this.logger.warn(
      { backend: 'redis', ...fields },
      'redis cache unavailable: requests are served without the cache until it is back',
    );
  }

  private recover(): void {
    this.openedAt = undefined;
    this.consecutiveFailures = 0;
    if (!this.outageReported) return;
    this.outageReported = false;
    this.logger.info({ backend: 'redis' }, 'redis cache available again');
  }

  private readonly onReady = (): void => {
    this.everReady = true;
    if (this.openedAt !== undefined) this.recover();
  };

  private async countKeys(): Promise<CacheStoreStats> {
    const previous = this.lastStats?.stats ?? { entries: 0, bytes: 0 };
    if (this.closed || this.client.status !== 'ready') return previous;
    let entries = 0;
    let bytes = 0;
    try {
      await this.scanKeys(`${escapeGlob(this.keyPrefix)}*`, async (keys) => {
        entries += keys.length;
        const lengths = await withTimeout(
          this.client.eval(SUM_LENGTHS_SCRIPT, keys.length, ...keys),
          this.scanStepTimeoutMs,
        );
        bytes += typeof lengths === 'number' ? lengths : 0;
      });
    } catch {
      return previous;
    }
    const stats = { entries, bytes };
    this.lastStats = { at: this.clock.now().getTime(), stats };
    return stats;
  }

  /** Walks the keys matching `pattern`, handing each non-empty batch to `each` before the next step. */
  private async scanKeys(pattern: string, each: (keys: string[]) => Promise<void>): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await withTimeout(
        this.client.scan(cursor, 'MATCH', pattern, 'COUNT', this.scanCount),
        this.scanStepTimeoutMs,
      );
      cursor = next;
      if (keys.length > 0) await each(keys);
    } while (cursor !== '0');
  }
}

/** Whether a command may be sent: no, yes, or yes as the one trial of an open circuit. */
type Admission = 'refused' | 'closed' | 'trial';

/** A command that did not answer in time. */
class CommandTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer from Redis within ${String(timeoutMs)} ms`);
  }
}

/** Settles as `command` does, or rejects with {@link CommandTimeout} after `timeoutMs`. */
function withTimeout<T>(command: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new CommandTimeout(timeoutMs));
    }, timeoutMs);
    command.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** What the outage warning says about its cause: never the server's address or credentials. */
function failureFields(error: unknown): Record<string, unknown> {
  if (error instanceof CommandTimeout) return { reason: 'timeout', timeoutMs: error.timeoutMs };
  const code = (error as { code?: unknown } | null)?.code;
  return { reason: 'command failed', ...(typeof code === 'string' && { code }) };
}

function purgeUnavailable(cause?: unknown): AppError {
  return new AppError(ERRORS.SERVICE_UNAVAILABLE, {
    message: 'the Redis cache is unavailable: nothing or not everything was purged',
    cause,
  });
}
