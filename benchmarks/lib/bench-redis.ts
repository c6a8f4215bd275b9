import { randomBytes } from 'node:crypto';

import { Redis } from 'ioredis';

const CONNECT_TIMEOUT_MS = 3000;
const SCAN_COUNT = 1000;

/** The Redis of the Redis-hit leg, under a key prefix of this run alone. */
export interface BenchRedis {
  /** `REDIS_CACHE_KEY_PREFIX` of the run: random, so that no other run's or deployment's keys are touched. */
  readonly keyPrefix: string;
  /** CPU time the Redis server has used since it started (user + system, seconds; `INFO cpu`). */
  cpuSeconds(): Promise<number>;
  /** How many keys exist under the prefix. */
  countKeys(): Promise<number>;
  /** Deletes every key under the prefix and closes the connection; returns how many were deleted. */
  deleteKeysAndClose(): Promise<number>;
}

/** Connects to Redis (failing fast with a clear message when it is not there) and picks the run's key prefix. */
export async function openBenchRedis(url: string): Promise<BenchRedis> {
  const redis = await connectBenchRedis(url, '--legs memory,capture');
  const keyPrefix = `llm-proxy-bench:${randomBytes(6).toString('hex')}:`;
  const forEachKeyBatch = async (visit: (keys: string[]) => Promise<void>): Promise<void> => {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(
        cursor,
        'MATCH',
        `${escapeGlob(keyPrefix)}*`,
        'COUNT',
        SCAN_COUNT,
      );
      cursor = next;
      if (keys.length > 0) await visit(keys);
    } while (cursor !== '0');
  };
  return {
    keyPrefix,
    cpuSeconds: () => redisCpuSeconds(redis),
    async countKeys() {
      let count = 0;
      await forEachKeyBatch(async (keys) => {
        count += keys.length;
        await Promise.resolve();
      });
      return count;
    },
    async deleteKeysAndClose() {
      let deleted = 0;
      try {
        await forEachKeyBatch(async (keys) => {
          deleted += await redis.del(...keys);
        });
      } finally {
        await redis.quit().catch(() => {
          redis.disconnect();
        });
      }
      return deleted;
    },
  };
}

/**
 * A connection to the benchmark's Redis, failing fast with a clear message — naming `withoutRedis`, the option
 * that runs without it — when Redis is not there.
 */
export async function connectBenchRedis(url: string, withoutRedis: string): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  // The cause of a failed connection arrives as an error event; the rejected connect only says it closed.
  let connectionError: Error | undefined;
  redis.on('error', (error: Error) => {
    connectionError = error;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    const cause = connectionError ?? error;
    throw new Error(
      `Redis at ${safeUrl(url)} is not reachable (${cause instanceof Error ? cause.message : String(cause)}); ` +
        `start it, pass --redis-url, or leave the redis leg out (${withoutRedis})`,
    );
  }
  return redis;
}

/** CPU time the Redis server has used since it started (user + system, seconds; `INFO cpu`). */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string): number =>
    Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** The URL without its password, for messages and reports. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(the given URL)';
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
}
