export { openRedisClients, reconnectDelay } from './redis-clients.js';
export type { RedisClient, RedisClients, RedisClientsOptions, RedisSubscriber } from './redis-clients.js';
