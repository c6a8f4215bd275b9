import { hostname } from 'node:os';

import type { DispatcherServiceConfig } from '../../config/index.js';
import type { EventSinkConfig } from '../sinks/create-event-sink.js';

/** Where the `otel` backend exports when no DISPATCHER_ENDPOINT is set: a collector on this host. */
export const OTEL_DEFAULT_ENDPOINT = 'http://localhost:4318/v1/traces';

/** The sink options of a configured backend (`DISPATCHER_SERVICE` and the variables that go with it). */
export function eventSinkConfig(service: DispatcherServiceConfig): EventSinkConfig {
  switch (service.type) {
    case 'file':
      return { type: 'file', path: service.path };
    case 'lunary':
    case 'helicone':
      return {
        type: service.type,
        apiKey: service.apiKey,
        ...(service.endpoint !== undefined && { endpoint: service.endpoint }),
      };
    case 'otel':
      return {
        type: 'otel',
        endpoint: service.endpoint ?? OTEL_DEFAULT_ENDPOINT,
        headers: service.headers,
        captureContent: service.captureContent,
      };
    default:
      return unknownService(service);
  }
}

/**
 * The consumer name of a dispatcher (`REDIS_CONSUMER_NAME`, else `dispatcher-<service>-<hostname>-<pid>`, the
 * original's): unique per process, because a consumer re-reads its own pending entries when it starts.
 */
export function dispatcherConsumerName(configured: string, service: DispatcherServiceConfig['type']): string {
  return configured !== '' ? configured : `dispatcher-${service}-${hostname()}-${String(process.pid)}`;
}

function unknownService(service: never): never {
  throw new Error(`unknown dispatcher service: ${String((service as { type?: unknown }).type)}`);
}
