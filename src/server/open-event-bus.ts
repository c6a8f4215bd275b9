import type { Config } from '../config/index.js';
import type { Logger } from '../core/index.js';
import { createEventBus, redisStreamsBusConfig } from '../events/index.js';
import type { EventBus, RedisStreamClient } from '../events/index.js';
import { reconnectDelay } from '../redis/index.js';
import type { ResourceStack } from './resource-stack.js';

/** Whether something in this process reads the events it publishes (a file log or the dispatcher). */
export function consumesEventsInProcess(config: Config): boolean {
  return config.events.fileEventLog !== '' || config.dispatcher.inProcess;
}

/**
 * The bus request events are published on, or undefined when events are off or nothing would read them — a
 * memory bus without a consumer in this process — so that the proxy does not build events for nobody.
 * Redis Streams gets its own connection: the stream's pipelined writes must not queue behind other commands.
 */
export async function openEventBus(
  config: Config,
  logger: Logger,
  parts: ResourceStack,
): Promise<EventBus | undefined> {
  const { events, dispatcher } = config;
  if (!events.enabled) return undefined;
  if (events.bus === 'memory' && !consumesEventsInProcess(config)) {
    logger.info(
      'request events are not built: nothing reads them (set FILE_EVENT_LOG, DISPATCHER_IN_PROCESS or LLM_PROXY_EVENT_BUS=redis-streams)',
    );
    return undefined;
  }
  let bus: EventBus;
  if (events.bus === 'memory') {
    bus = createEventBus(
      { type: 'memory', bufferSize: events.bufferSize, maxAttempts: dispatcher.maxAttempts },
      { logger },
    );
  } else {
    const redis = await openStreamConnection(events.redisUrl as string, parts);
    bus = createEventBus(redisStreamsBusConfig(events, dispatcher), { logger, redis });
  }
  parts.add('event bus', () => bus.close());
  return bus;
}

async function openStreamConnection(url: string, parts: ResourceStack): Promise<RedisStreamClient> {
  const { Redis } = await import('ioredis');
  const connection = new Redis(url, {
    connectionName: 'llm-proxy-events',
    connectTimeout: 5000,
    retryStrategy: (attempt) => reconnectDelay(attempt, 2000),
    // A write during an outage fails fast and the publisher spools: nothing waits for Redis to return.
    maxRetriesPerRequest: 1,
  });
  // The publisher logs an outage once (and spools); ioredis' error events would repeat it per attempt.
  connection.on('error', () => undefined);
  parts.add('event stream connection', async () => {
    await connection.quit().catch(() => {
      connection.disconnect();
    });
  });
  return connection;
}
