import type { Redis, RedisOptions } from 'ioredis';

import { reconnectDelay } from './redis-clients.js';

/** Longest wait between two reconnect attempts of the cache's Redis connection. */
const RECONNECT_MAX_DELAY_MS = 2000;

/**
 * A Redis connection of the response cache's own, opened without waiting for it: the cache store refuses
 * commands until it is ready and reports outages itself. Its own connection, so that a slow cache command never
 * queues behind the shared client's traffic or the other way round. Close it with `quitRedis`.
 */
export async function openCacheConnection(url: string): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const connection = new Redis(url, cacheConnectionOptions());
  // Connection errors are the store's to report (once per outage); without a listener ioredis prints them.
  connection.on('error', () => undefined);
  return connection;
}

/** How the cache's connection is set up (its tests open theirs the same way). */
export function cacheConnectionOptions(): RedisOptions {
  return {
    connectionName: 'llm-proxy-cache',
    retryStrategy: (attempt) => reconnectDelay(attempt, RECONNECT_MAX_DELAY_MS),
    // The store times every command out itself; a command must fail at once rather than wait in ioredis'
    // queue for a connection that is away.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // Commands issued while one turn of the event loop handles many requests leave in one write, and their
    // replies come back in one read: under load each hit no longer pays a round of socket calls of its own.
    enableAutoPipelining: true,
  };
}
