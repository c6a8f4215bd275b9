import { randomBytes } from 'node:crypto';

import { connectBenchRedis, redisCpuSeconds } from './bench-redis.js';

/** The stream's TTL: a run stopped by a signal or its time budget cannot delete it, so it expires by itself. */
const STREAM_TTL_SECONDS = 3600;

/** The Redis of the Redis Streams leg, with a stream of this run alone. */
export interface EventsRedis {
  /** `REDIS_STREAM_KEY` of the run: random, so that no other run's or deployment's stream is touched. */
  readonly streamKey: string;
  /** The stream's length now (`XLEN`; 0 while it does not exist). */
  length(): Promise<number>;
  /**
   * Entries ever added to the stream (`XINFO STREAM` entries-added, Redis 7+), which trimming
   * (`REDIS_STREAM_MAX_LEN`) does not lower; undefined before Redis 7 or while the stream does not exist.
   */
  entriesAdded(): Promise<number | undefined>;
  /** CPU time the Redis server has used since it started (user + system, seconds; `INFO cpu`). */
  cpuSeconds(): Promise<number>;
  /** Deletes the stream (and its dead letters, `<key>:dead`) and closes the connection; returns keys deleted. */
  deleteStreamAndClose(): Promise<number>;
}

/**
 * Connects to Redis (failing fast with a clear message when it is not there) and creates the run's stream,
 * empty, with a TTL of an hour in case the run is killed before it deletes it.
 */
export async function openEventsRedis(url: string): Promise<EventsRedis> {
  const redis = await connectBenchRedis(url, '--legs memory');
  const streamKey = `llm-proxy-bench:events:${randomBytes(6).toString('hex')}`;
  // The stream exists before the proxy's first XADD, so that it can carry a TTL (XADD keeps it); the group
  // is only what MKSTREAM needs, nobody reads from it.
  await redis.xgroup('CREATE', streamKey, 'llm-proxy-bench', '$', 'MKSTREAM');
  await redis.expire(streamKey, STREAM_TTL_SECONDS);
  return {
    streamKey,
    length: () => redis.xlen(streamKey),
    async entriesAdded() {
      let info: unknown;
      try {
        info = await redis.xinfo('STREAM', streamKey);
      } catch {
        return undefined;
      }
      // A flat [field, value, field, value …] reply.
      if (!Array.isArray(info)) return undefined;
      const index = info.indexOf('entries-added');
      const value: unknown = index === -1 ? undefined : info[index + 1];
      return typeof value === 'number' ? value : undefined;
    },
    cpuSeconds: () => redisCpuSeconds(redis),
    async deleteStreamAndClose() {
      try {
        return await redis.del(streamKey, `${streamKey}:dead`);
      } finally {
        await redis.quit().catch(() => {
          redis.disconnect();
        });
      }
    },
  };
}
