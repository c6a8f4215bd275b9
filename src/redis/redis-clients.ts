import type { Redis, RedisOptions } from 'ioredis';

import type { Logger } from '../core/index.js';
import { watchConnections } from './connection-watch.js';

const FIRST_RECONNECT_DELAY_MS = 100;

/** Options of {@link openRedisClients}. */
export interface RedisClientsOptions {
  /** `redis://[user:password@]host:port[/db]`, or `rediss://…` for TLS. */
  readonly url: string;
  readonly logger: Logger;
  /** Longest wait between two reconnect attempts; the wait doubles from 100 ms up to it. @default 2000 */
  readonly reconnectMaxDelayMs?: number;
  /** @default 5000 */
  readonly connectTimeoutMs?: number;
}

/** The commands of the shared client that the product uses (grows with its users: invalidation, admin sessions). */
export interface RedisClient {
  /** ioredis' connection state; commands are sent at once only when it is `ready`. */
  readonly status: string;
  publish(channel: string, message: string): Promise<number>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, expiryToken: 'PX', milliseconds: number): Promise<'OK'>;
  /** Only when the key exists (`XX`): null when it does not. */
  set(
    key: string,
    value: string,
    expiryToken: 'PX',
    milliseconds: number,
    condition: 'XX',
  ): Promise<'OK' | null>;
  set(key: string, value: string, keepTtl: 'KEEPTTL', condition: 'XX'): Promise<'OK' | null>;
  del(...keys: string[]): Promise<number>;
  on(event: 'ready', listener: () => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
}

/** The connection in subscriber mode (a connection that subscribed may send nothing else). */
export interface RedisSubscriber {
  readonly status: string;
  subscribe(channel: string): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready' | 'close', listener: () => void): unknown;
  off(event: 'message', listener: (channel: string, message: string) => void): unknown;
  off(event: 'ready' | 'close', listener: () => void): unknown;
}

/** The one shared client and the one subscriber connection of a process, created in the root and injected. */
export interface RedisClients {
  readonly client: RedisClient;
  readonly subscriber: RedisSubscriber;
  /** Quits both connections (without waiting for an unreachable server). */
  close(): Promise<void>;
}

/**
 * Opens the shared client and the subscriber connection without waiting for them: an unreachable Redis must
 * not stop the gateway from starting or serving. Both reconnect with capped exponential backoff forever;
 * connection errors are logged once per outage (and the recovery once), never thrown. ioredis is imported
 * here, lazily, so that a deployment without Redis never loads it.
 */
export async function openRedisClients(options: RedisClientsOptions): Promise<RedisClients> {
  const { Redis } = await import('ioredis');
  const maxDelayMs = options.reconnectMaxDelayMs ?? 2000;
  const common: RedisOptions = {
    connectTimeout: options.connectTimeoutMs ?? 5000,
    retryStrategy: (attempt) => reconnectDelay(attempt, maxDelayMs),
    // A command issued during an outage fails after two reconnect attempts instead of waiting for the end
    // of the outage: no caller of the shared client should hang on Redis.
    maxRetriesPerRequest: 2,
  };
  const client = new Redis(options.url, { ...common, connectionName: 'llm-proxy' });
  const subscriber = new Redis(options.url, { ...common, connectionName: 'llm-proxy-subscriber' });
  const watch = watchConnections({ client, subscriber }, options.logger);
  return {
    client,
    subscriber,
    async close() {
      watch.stop();
      await Promise.all([quitRedis(client), quitRedis(subscriber)]);
    },
  };
}

/**
 * The wait before reconnect attempt `attempt` (1, 2, …): doubling from 100 ms up to `maxDelayMs`, with ±20 %
 * jitter so that many instances losing one Redis do not all knock again at the same moment.
 */
export function reconnectDelay(attempt: number, maxDelayMs: number): number {
  const base = Math.min(FIRST_RECONNECT_DELAY_MS * 2 ** Math.min(attempt - 1, 20), maxDelayMs);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** Closes a connection politely (QUIT, at most 1 s), then drops it; one that is not ready is dropped at once. */
export async function quitRedis(connection: Redis): Promise<void> {
  if (connection.status !== 'ready') {
    connection.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 1000);
  });
  try {
    await Promise.race([connection.quit().catch(() => undefined), gaveUp]);
  } finally {
    clearTimeout(timer);
    connection.disconnect();
  }
}
