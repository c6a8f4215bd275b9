export {
  generateToken,
  hashToken,
  isTokenFormat,
  isTokenHash,
  tokenFormatProblem,
  tokenPreview,
} from './token-format.js';
export { TokenAuthority } from './token-authority.js';
export type { ProxyCredentials, TokenAuthorityOptions } from './token-authority.js';
export { invalidatingStore } from './invalidating-store.js';
export type { InvalidationBus, InvalidationEvent, InvalidationListener } from './invalidation-bus.js';
export { MemoryInvalidationBus } from './memory-invalidation-bus.js';
export type { MemoryInvalidationBusOptions } from './memory-invalidation-bus.js';
export { RedisInvalidationBus } from './redis-invalidation-bus.js';
export type { RedisInvalidationBusOptions } from './redis-invalidation-bus.js';
export { createInvalidationBus } from './create-invalidation-bus.js';
export type { InvalidationBusOptions } from './create-invalidation-bus.js';
