export { createProxyHandler } from './proxy-handler.js';
export type { ProxyHandler, ProxyHandlerOptions } from './proxy-handler.js';
export { CircuitBreaker } from './circuit-breaker.js';
export type { BreakerVerdict, CircuitBreakerOptions } from './circuit-breaker.js';
export { UpstreamPools } from './upstream-pools.js';
export { ProviderBreakers } from './provider-breakers.js';
export type { CircuitSource, ProviderBreakersOptions } from './provider-breakers.js';
export { ExchangeObservers } from './exchange-record.js';
export type {
  CapturedResponse,
  ExchangeObserver,
  ExchangeOutcome,
  ExchangeRecord,
  ExchangeView,
} from './exchange-record.js';
export { metricsObserver } from './metrics-observer.js';
export { ACCESS_LOG_MESSAGE, accessLogObserver } from './access-log-observer.js';
export { openAiErrorBody } from './openai-error.js';
export type { BodyRateGuardOptions } from './body-rate-guard.js';
export { ForwardingHandler } from './taps/tap.js';
export type {
  AnswerSource,
  ExchangeHandler,
  ExchangeStart,
  ResponseHeaders,
  ResponseTap,
} from './taps/tap.js';
export type { LocalAnswer } from './taps/local-answer.js';
export type { JsonBodyFacts, RequestBody } from './request-body.js';
export { eventObserver, proxyEvent } from './event-observer.js';
export type { EventObserverOptions } from './event-observer.js';
export { eventCaptureTap } from './taps/event-capture-tap.js';
export { UsageTap, usageTap } from './taps/usage-tap.js';
export type { UsageTapOptions } from './taps/usage-tap.js';
export { usageObserver } from './usage-observer.js';
