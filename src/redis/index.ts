export { cacheConnectionOptions, openCacheConnection } from './cache-connection.js';
export { openRedisClients, quitRedis, reconnectDelay } from './redis-clients.js';
export type { RedisClient, RedisClients, RedisClientsOptions, RedisSubscriber } from './redis-clients.js';
