import { randomBytes } from 'node:crypto';

import { Redis } from 'ioredis';

import { safeUrl } from './bench-redis.js';

const CONNECT_TIMEOUT_MS = 3000;
/** A stream an interrupted run (SIGINT, the time budget) could not delete expires by itself; reset per run. */
const SAFETY_TTL_SECONDS = 600;
/** Entries per pipelined fill. */
const FILL_CHUNK = 500;

/** The Redis of the *-redis legs: one client, and a stream key of this run alone. */
export interface EventDeliveryRedis {
  /** The client the bus is built with (as `llm-proxy dispatcher` builds it: one shared ioredis client). */
  readonly client: Redis;
  /** `REDIS_STREAM_KEY` of the run: random, so that no other run's or deployment's stream is touched. */
  readonly streamKey: string;
  /** Deletes the stream (its groups with it) and its dead letters, then starts it empty with a safety TTL. */
  reset(): Promise<void>;
  /** Appends `count` entries `data <json>` as the publisher writes them, without trimming. */
  fill(count: number, lineOf: (index: number) => string): Promise<void>;
  /** Entries in the stream and in its dead letters. */
  lengths(): Promise<{ stream: number; dead: number }>;
  /** Deletes the run's keys and closes the client (also after a failed run). */
  deleteAndClose(): Promise<void>;
}

/** Connects (failing fast with a clear message when Redis is not there) and picks the run's stream key. */
export async function openEventDeliveryRedis(url: string): Promise<EventDeliveryRedis> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    connectionName: 'llm-proxy-bench-event-delivery',
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  let connectionError: Error | undefined;
  client.on('error', (error: Error) => {
    connectionError = error;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    const cause = connectionError ?? error;
    throw new Error(
      `Redis at ${safeUrl(url)} is not reachable (${cause instanceof Error ? cause.message : String(cause)}); ` +
        'start it, pass --redis-url, or leave the redis legs out (--legs publish-memory,file-memory)',
    );
  }
  const streamKey = `llm-proxy-bench-events:${randomBytes(6).toString('hex')}`;
  const deadKey = `${streamKey}:dead`;
  return {
    client,
    streamKey,
    async reset() {
      await client.del(streamKey, deadKey);
      // An empty stream (created with a group, which is destroyed again) that carries the TTL.
      await client.xgroup('CREATE', streamKey, 'llm-proxy-bench-init', '$', 'MKSTREAM');
      await client.xgroup('DESTROY', streamKey, 'llm-proxy-bench-init');
      await client.expire(streamKey, SAFETY_TTL_SECONDS);
    },
    async fill(count, lineOf) {
      for (let start = 0; start < count; start += FILL_CHUNK) {
        const pipeline = client.pipeline();
        for (let index = start; index < Math.min(count, start + FILL_CHUNK); index += 1) {
          pipeline.xadd(streamKey, '*', 'data', lineOf(index));
        }
        const replies = await pipeline.exec();
        const failed = replies?.find(([error]) => error !== null);
        if (replies === null || failed !== undefined) {
          throw new Error(`filling the stream failed: ${failed?.[0]?.message ?? 'no reply'}`);
        }
      }
    },
    async lengths() {
      const [stream, dead] = await Promise.all([client.xlen(streamKey), client.xlen(deadKey)]);
      return { stream, dead };
    },
    async deleteAndClose() {
      try {
        await client.del(streamKey, deadKey);
      } finally {
        await client.quit().catch(() => {
          client.disconnect();
        });
      }
    },
  };
}
