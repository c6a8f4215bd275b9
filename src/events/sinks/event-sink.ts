import type { ProxyEvent } from '../proxy-event.js';

/** An event of a batch the backend refused, by its index in the batch. */
export interface SinkRejection {
  readonly index: number;
  readonly reason: string;
  /** Retrying cannot help (the backend said the event itself is wrong). */
  readonly permanent: boolean;
}

/** What a backend did with a batch: the events it did not accept (none: all accepted). */
export interface SinkResult {
  readonly rejected: readonly SinkRejection[];
}

/** A whole batch failed (backend unreachable, 5xx, 429 …): temporary unless `permanent`. */
export class SinkError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    /** When the backend said how long to wait (Retry-After), in milliseconds. */
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SinkError';
  }
}

/**
 * An observability backend. `send` resolves once the backend has accepted (or refused) the batch — only then
 * may the dispatcher acknowledge it — and throws `SinkError` when the whole batch failed.
 */
export interface EventSink {
  /** `file`, `lunary`, `helicone`, `otel`. */
  readonly name: string;
  send(events: readonly ProxyEvent[]): Promise<SinkResult>;
  close(): Promise<void>;
}
