import type { Logger } from '../core/index.js';
import type { InvalidationBus, InvalidationEvent, InvalidationListener } from './invalidation-bus.js';

/** Options of {@link MemoryInvalidationBus}. */
export interface MemoryInvalidationBusOptions {
  /** Where a throwing listener is reported. */
  readonly logger: Logger;
}

/**
 * The bus of one process: every instance that shares this object sees every event, synchronously. Also the
 * local half of {@link RedisInvalidationBus}.
 */
export class MemoryInvalidationBus implements InvalidationBus {
  private readonly listeners = new Set<InvalidationListener>();
  private closed = false;

  constructor(private readonly options: MemoryInvalidationBusOptions) {}

  publish(event: InvalidationEvent): void {
    if (this.closed) return;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // One broken listener must neither keep the others from forgetting stale data nor fail the write
        // whose response is waiting for this publish.
        this.options.logger.error({ err: error, event }, 'invalidation listener failed');
      }
    }
  }

  subscribe(listener: InvalidationListener): () => void {
    // A wrapper per subscription, so that one function subscribed twice is also removed one at a time.
    const entry: InvalidationListener = (event) => {
      listener(event);
    };
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    return Promise.resolve();
  }
}
