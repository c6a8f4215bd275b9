export { openRedisClients, reconnectDelay } from './redis-clients.js';
export type {
  RedisClient,
  RedisClients,
  RedisClientsOptions,
  RedisSettings,
  RedisSubscriber,
} from './redis-clients.js';
