export { createProxyHandler } from './proxy-handler.js';
export type { ProxyHandler, ProxyHandlerOptions } from './proxy-handler.js';
export { CircuitBreaker } from './circuit-breaker.js';
export type { CircuitBreakerOptions } from './circuit-breaker.js';
export { UpstreamPools } from './upstream-pools.js';
