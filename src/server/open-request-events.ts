import type { Config } from '../config/index.js';
import type { Logger } from '../core/index.js';
import type { EventPublisher } from '../events/index.js';
import type { ProxyMetrics } from '../metrics/index.js';
import { eventCaptureTap, eventObserver } from '../proxy/index.js';
import type { ExchangeObserver, ResponseTap } from '../proxy/index.js';

/** The proxy's side of request events: the tap that captures answers and the observer that publishes. */
export interface RequestEvents {
  readonly publisher: EventPublisher;
  readonly taps: readonly ResponseTap[];
  readonly observers: readonly ExchangeObserver[];
}

/** What {@link requestEvents} builds on. */
export interface RequestEventsOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: ProxyMetrics;
  /** Where events go; undefined: nothing consumes them, and none are built. */
  readonly publisher: EventPublisher | undefined;
}

/**
 * Puts request events into the proxy when they are on and something consumes them: a capture tap (innermost,
 * so an event shows what the client received) and the observer that publishes every exchange. Left out
 * otherwise, the proxy pays nothing for them.
 */
export function requestEvents(options: RequestEventsOptions): RequestEvents | undefined {
  const { config, publisher } = options;
  if (!config.events.enabled || publisher === undefined) return undefined;
  options.metrics.watchEventPublisher(() => publisher.stats());
  const { captureBodies, maxRequestBodyBytes, maxResponseBodyBytes } = config.events;
  return {
    publisher,
    taps: [eventCaptureTap(captureBodies ? maxResponseBodyBytes : 0)],
    observers: [eventObserver({ publisher, captureBodies, maxRequestBodyBytes })],
  };
}
