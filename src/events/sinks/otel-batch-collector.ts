import { createHash, randomBytes } from 'node:crypto';

import type { IdGenerator, ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A span processor that hands the spans ended during one synchronous call to that call's caller, so that a
 * sink can export exactly its batch and learn whether the collector took it (a batching processor would
 * export later and tell nobody).
 */
export class BatchCollector implements SpanProcessor {
  #target: ReadableSpan[] | null = null;

  /** Runs `record` (which starts and ends spans synchronously) and returns the spans it ended. */
  collect(record: () => void): ReadableSpan[] {
    const spans: ReadableSpan[] = [];
    this.#target = spans;
    try {
      record();
    } finally {
      this.#target = null;
    }
    return spans;
  }

  onStart(): void {
    // Nothing to do before a span ends.
  }

  onEnd(span: ReadableSpan): void {
    this.#target?.push(span);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Span and trace ids derived from the event id given just before a span starts: a redelivered event becomes
 * the same span (receivers such as Langfuse upsert on the id) instead of a duplicate. A UUID request id is
 * itself the trace id, so a trace can be found by the request id the client saw.
 */
export class EventIdGenerator implements IdGenerator {
  #traceId: string | null = null;
  #spanId: string | null = null;

  /** Sets the ids of the next span from an event id. */
  next(eventId: string): void {
    const digest = createHash('sha256').update(eventId).digest('hex');
    this.#traceId = UUID.test(eventId) ? eventId.replaceAll('-', '').toLowerCase() : digest.slice(0, 32);
    this.#spanId = digest.slice(32, 48);
  }

  generateTraceId(): string {
    const id = this.#traceId ?? randomBytes(16).toString('hex');
    this.#traceId = null;
    return id;
  }

  generateSpanId(): string {
    const id = this.#spanId ?? randomBytes(8).toString('hex');
    this.#spanId = null;
    return id;
  }
}
