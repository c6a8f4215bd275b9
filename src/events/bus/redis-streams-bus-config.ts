import type { DispatcherConfig, EventsConfig } from '../../config/index.js';
import type { EventBusConfig } from './create-event-bus.js';

/**
 * The Redis Streams bus as the `events` and `dispatcher` sections configure it: the same stream, group, limits
 * and spool for the server that publishes and for every dispatcher that reads.
 */
export function redisStreamsBusConfig(events: EventsConfig, dispatcher: DispatcherConfig): EventBusConfig {
  return {
    type: 'redis-streams',
    streamKey: events.streamKey,
    consumerGroup: dispatcher.consumerGroup,
    maxLen: events.streamMaxLen,
    blockMs: dispatcher.blockMs,
    claimTimeMs: dispatcher.claimTimeMs,
    batchSize: dispatcher.readBatchSize,
    maxAttempts: dispatcher.maxAttempts,
    spoolPath: events.spoolPath,
    spoolMaxBytes: events.spoolMaxBytes,
    bufferSize: events.bufferSize,
  };
}
