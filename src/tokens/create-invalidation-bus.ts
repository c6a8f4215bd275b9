import type { Logger } from '../core/index.js';
import type { RedisClient, RedisSubscriber } from '../redis/index.js';
import type { InvalidationBus } from './invalidation-bus.js';
import { MemoryInvalidationBus } from './memory-invalidation-bus.js';
import { RedisInvalidationBus } from './redis-invalidation-bus.js';

/** Which bus to build: in-process, or Redis pub/sub when Redis is configured. */
export type InvalidationBusOptions =
  | { readonly type: 'memory'; readonly logger: Logger }
  | {
      readonly type: 'redis';
      readonly logger: Logger;
      readonly client: RedisClient;
      readonly subscriber: RedisSubscriber;
      /** `config.redis.invalidationChannel`. */
      readonly channel: string;
      /** @default 1000 */
      readonly maxHeldEvents?: number;
    };

/** Builds the invalidation bus of one instance. */
export function createInvalidationBus(options: InvalidationBusOptions): InvalidationBus {
  switch (options.type) {
    case 'memory':
      return new MemoryInvalidationBus({ logger: options.logger });
    case 'redis':
      return new RedisInvalidationBus(options);
    default:
      return unknownType(options);
  }
}

function unknownType(options: never): never {
  throw new Error(`unknown invalidation bus type: ${String((options as { type: unknown }).type)}`);
}
