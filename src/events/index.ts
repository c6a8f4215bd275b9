export { isCapturedBody } from './proxy-event.js';
export type { EventBody, OmittedBody, ProxyEvent } from './proxy-event.js';
export type {
  DeadLetter,
  Delivery,
  EventPublisher,
  EventSource,
  PublisherStats,
  ReadOptions,
} from './bus/event-bus.js';
export { SinkError } from './sinks/event-sink.js';
export type { EventSink, SinkRejection, SinkResult } from './sinks/event-sink.js';
export type { DecodedBody, DecodedExchange } from './transform/decoded-exchange.js';
export { decodeExchange } from './transform/decode-exchange.js';
export { FileEventSink } from './sinks/file-event-sink.js';
export type { FileEventSinkOptions } from './sinks/file-event-sink.js';
export { fileEventRecord } from './sinks/file-event-format.js';
export type { FileEventRecord, FileTokenUsage } from './sinks/file-event-format.js';
export { MemoryEventBus } from './bus/memory-event-bus.js';
export type { MemoryEventBusOptions } from './bus/memory-event-bus.js';
export { EventSpool } from './bus/event-spool.js';
export type { EventSpoolOptions, SpoolBatch } from './bus/event-spool.js';
export { RedisStreamPublisher } from './bus/redis-stream-publisher.js';
export type { RedisStreamPublisherOptions } from './bus/redis-stream-publisher.js';
export { RedisStreamSource } from './bus/redis-stream-source.js';
export type { RedisStreamSourceOptions } from './bus/redis-stream-source.js';
export { RedisStreamEventBus } from './bus/redis-stream-event-bus.js';
export type { RedisStreamEventBusOptions } from './bus/redis-stream-event-bus.js';
export type { RedisStreamClient, RedisStreamConnection } from './bus/redis-stream-client.js';
export { deadLetterKey } from './bus/redis-stream-client.js';
export { listDeadLetters, replayDeadLetters, replayStreamRange } from './bus/replay.js';
export type { ListDeadLettersOptions, ReplayDeadLettersOptions, ReplayRangeOptions } from './bus/replay.js';
export { REDIS_STREAMS_DEFAULTS, createEventBus } from './bus/create-event-bus.js';
export type { EventBus, EventBusConfig, EventBusDeps } from './bus/create-event-bus.js';
export { redisStreamsBusConfig } from './bus/redis-streams-bus-config.js';
export { EventDispatcher } from './dispatcher/event-dispatcher.js';
export type { DrainResult, EventDispatcherOptions } from './dispatcher/event-dispatcher.js';
export type { DispatcherSnapshot, DispatcherStats } from './dispatcher/dispatcher-stats.js';
export { DEFAULT_HEALTH_RULES, dispatcherHealth } from './dispatcher/dispatcher-health.js';
export type { DispatcherHealth, DispatcherHealthRules } from './dispatcher/dispatcher-health.js';
export { DispatcherMetrics } from './dispatcher/dispatcher-metrics.js';
export type { DispatcherMetricsOptions } from './dispatcher/dispatcher-metrics.js';
export { retryDelay } from './dispatcher/retry-delay.js';
export type { RetryBackoff } from './dispatcher/retry-delay.js';
export { startDispatcher } from './dispatcher/start-dispatcher.js';
export type {
  DispatcherRunConfig,
  RunningDispatcher,
  StartDispatcherOptions,
} from './dispatcher/start-dispatcher.js';
export {
  OTEL_DEFAULT_ENDPOINT,
  dispatcherConsumerName,
  eventSinkConfig,
} from './dispatcher/dispatcher-sink-config.js';
export { createEventSink } from './sinks/create-event-sink.js';
export type { EventSinkConfig, EventSinkDependencies } from './sinks/create-event-sink.js';
export { LUNARY_DEFAULT_ENDPOINT, LunaryEventSink } from './sinks/lunary-event-sink.js';
export type { LunaryEventSinkOptions } from './sinks/lunary-event-sink.js';
export { HELICONE_DEFAULT_ENDPOINT, HeliconeEventSink } from './sinks/helicone-event-sink.js';
export type { HeliconeEventSinkOptions } from './sinks/helicone-event-sink.js';
export { OtelEventSink } from './sinks/otel-event-sink.js';
export type { OtelEventSinkOptions } from './sinks/otel-event-sink.js';
