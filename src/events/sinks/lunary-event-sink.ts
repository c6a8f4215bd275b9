import { decodeExchange } from '../transform/decode-exchange.js';
import type { ProxyEvent } from '../proxy-event.js';
import type { EventSink, SinkRejection, SinkResult } from './event-sink.js';
import { createDeliveryAgent, postJson } from './http-delivery.js';
import { asRecord, stringField } from './lunary-chat-messages.js';
import { lunaryRunEvents } from './lunary-run-events.js';
import type { LunaryRunEvent } from './lunary-run-events.js';

/** @default Lunary Cloud's ingest endpoint. */
export const LUNARY_DEFAULT_ENDPOINT = 'https://api.lunary.ai/v1/runs/ingest';

/**
 * Lunary answers a redelivered `start` (same runId) with this error: the run exists, which is what a retry of
 * an at-least-once delivery wants, so it counts as accepted.
 */
const DUPLICATE_RUN = /already exists/i;

/** Options of {@link LunaryEventSink}. */
export interface LunaryEventSinkOptions {
  /** @default 'https://api.lunary.ai/v1/runs/ingest' */
  readonly endpoint?: string;
  /** The project's public or private key, sent as `Authorization: Bearer <key>`. */
  readonly apiKey: string;
  /** @default 30 000 */
  readonly timeoutMs?: number;
}

/**
 * Sends events to Lunary: per proxy event a `start` run event (input, params, metadata, at the request's start)
 * and an `end` (output, token usage) or `error` event at the response's end, the whole batch in one
 * `{"events": [...]}` POST. Lunary answers 200 with one result per run event; a failed one rejects its proxy
 * event (temporarily: Lunary does not say whether a retry could help).
 */
export class LunaryEventSink implements EventSink {
  readonly name = 'lunary';
  readonly #endpoint: string;
  readonly #apiKey: string;
  readonly #timeoutMs: number | undefined;
  readonly #agent = createDeliveryAgent();

  constructor(options: LunaryEventSinkOptions) {
    this.#endpoint = options.endpoint ?? LUNARY_DEFAULT_ENDPOINT;
    this.#apiKey = options.apiKey;
    this.#timeoutMs = options.timeoutMs;
  }

  async send(events: readonly ProxyEvent[]): Promise<SinkResult> {
    if (events.length === 0) return { rejected: [] };
    const runEvents: LunaryRunEvent[] = [];
    const owners: number[] = [];
    events.forEach((event, index) => {
      for (const runEvent of lunaryRunEvents(event, decodeExchange(event))) {
        runEvents.push(runEvent);
        owners.push(index);
      }
    });
    const response = await postJson({
      url: this.#endpoint,
      body: { events: runEvents },
      headers: { authorization: `Bearer ${this.#apiKey}` },
      timeoutMs: this.#timeoutMs,
      dispatcher: this.#agent,
      secrets: [this.#apiKey],
    });
    return { rejected: rejections(response.json, runEvents, owners, events) };
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

/**
 * The proxy events whose run events Lunary did not ingest. A result names its run by `id` (the proxy event's
 * id); Lunary ingests and answers in timestamp order, the fallback for a result without one.
 */
function rejections(
  answer: unknown,
  runEvents: readonly LunaryRunEvent[],
  owners: readonly number[],
  events: readonly ProxyEvent[],
): SinkRejection[] {
  const results = asRecord(answer)?.results;
  if (!Array.isArray(results)) return [];
  const indexesById = new Map<string, number[]>();
  events.forEach((event, index) => {
    indexesById.set(event.id, [...(indexesById.get(event.id) ?? []), index]);
  });
  // Array.prototype.sort is stable, as Lunary's is: a start and an end with one timestamp keep their order.
  const ingestOrder = runEvents
    .map((runEvent, position) => ({ owner: owners[position], at: Date.parse(runEvent.timestamp) }))
    .sort((a, b) => a.at - b.at);
  const reasons = new Map<number, string>();
  results.forEach((item, resultIndex) => {
    const result = asRecord(item);
    if (result?.success !== false) return;
    const reason = stringField(result, 'error') ?? 'rejected by Lunary';
    if (DUPLICATE_RUN.test(reason)) return;
    const id = stringField(result, 'id');
    const fallback = ingestOrder[resultIndex]?.owner;
    const byId = id === null ? undefined : indexesById.get(id);
    const indexes = byId ?? (fallback === undefined ? [] : [fallback]);
    for (const index of indexes) if (!reasons.has(index)) reasons.set(index, reason);
  });
  return [...reasons]
    .sort(([a], [b]) => a - b)
    .map(([index, reason]) => ({ index, reason, permanent: false }));
}
