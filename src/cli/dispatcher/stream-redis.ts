import type { Logger } from '../../core/index.js';
import type { RedisStreamClient } from '../../events/index.js';
import { quitRedis, reconnectDelay } from '../../redis/index.js';

/** The Redis connection of a dispatcher process and how to let go of it. */
export interface StreamRedis {
  readonly client: RedisStreamClient;
  /** Quits (at most 1 s), then drops the connection. */
  close(): Promise<void>;
}

/**
 * Opens the dispatcher's Redis client without waiting for it: an unreachable Redis at start is an outage like
 * any other — the source pauses and retries, `/health` says 503 — rather than a refusal to start. It reconnects
 * with the same capped backoff as the server's; errors are logged once per outage. ioredis is imported here,
 * lazily, like everywhere else.
 */
export async function openStreamRedis(url: string, logger: Logger): Promise<StreamRedis> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, {
    connectionName: 'llm-proxy-dispatcher',
    connectTimeout: 5000,
    retryStrategy: (attempt) => reconnectDelay(attempt, 2000),
    // A command during an outage fails after two reconnect attempts; the source retries it itself.
    maxRetriesPerRequest: 2,
  });
  let down = false;
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.warn({ err: { message: error.message } }, 'redis unreachable: reconnecting with backoff');
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info('redis reconnected');
  });
  return {
    client,
    close: () => quitRedis(client),
  };
}
