import { decodeExchange } from '../transform/decode-exchange.js';
import type { ProxyEvent } from '../proxy-event.js';
import { SinkError } from './event-sink.js';
import type { EventSink, SinkRejection, SinkResult } from './event-sink.js';
import { heliconeLogRequest } from './helicone-log-request.js';
import { createDeliveryAgent, postJson } from './http-delivery.js';
import { asRecord } from './lunary-chat-messages.js';

/** @default Helicone Cloud's custom logging endpoint. */
export const HELICONE_DEFAULT_ENDPOINT = 'https://api.worker.helicone.ai/custom/v1/log';

/** Logs in flight at once: Helicone takes one request per log, and a batch should not take a log's time each. */
const CONCURRENCY = 4;

/** Options of {@link HeliconeEventSink}. */
export interface HeliconeEventSinkOptions {
  /** @default 'https://api.worker.helicone.ai/custom/v1/log' */
  readonly endpoint?: string;
  /** Helicone API key, sent as `Authorization: Bearer <key>`. */
  readonly apiKey: string;
  /** Per log request. @default 30 000 */
  readonly timeoutMs?: number;
}

/**
 * Sends events to Helicone's custom logging API, one POST per event, every event included (an answer the proxy
 * did not keep is logged with a note). A refused log rejects its event — permanently for 400/401/403/422 and
 * other 4xx, temporarily for 408/425/429/5xx and for a 200 whose body reports an error. Once the backend is
 * unreachable or asks to slow down, the rest of the batch is not sent; when nothing got through the whole batch
 * fails with a temporary {@link SinkError} (carrying Retry-After), so that the dispatcher backs off.
 */
export class HeliconeEventSink implements EventSink {
  readonly name = 'helicone';
  readonly #endpoint: string;
  readonly #apiKey: string;
  readonly #timeoutMs: number | undefined;
  readonly #agent = createDeliveryAgent();

  constructor(options: HeliconeEventSinkOptions) {
    this.#endpoint = options.endpoint ?? HELICONE_DEFAULT_ENDPOINT;
    this.#apiKey = options.apiKey;
    this.#timeoutMs = options.timeoutMs;
  }

  async send(events: readonly ProxyEvent[]): Promise<SinkResult> {
    const rejected: SinkRejection[] = [];
    // Set by the first temporary failure (backend down, rate limited): the rest of the batch is not sent.
    const state: { halt: SinkError | null } = { halt: null };
    let accepted = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < events.length) {
        const index = next++;
        const event = events[index];
        if (event === undefined) continue;
        if (state.halt !== null) {
          rejected.push({ index, reason: `not sent: ${state.halt.message}`, permanent: false });
          continue;
        }
        try {
          const problem = await this.#log(event);
          if (problem === null) accepted++;
          else rejected.push({ index, reason: problem, permanent: false });
        } catch (error) {
          if (!(error instanceof SinkError)) throw error;
          rejected.push({ index, reason: error.message, permanent: error.permanent });
          if (!error.permanent) state.halt ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, events.length) }, worker));
    if (state.halt !== null && accepted === 0 && rejected.every((rejection) => !rejection.permanent)) {
      throw state.halt;
    }
    return { rejected: rejected.sort((a, b) => a.index - b.index) };
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  /** Logs one event; the problem Helicone reported in a 200 answer, or null. */
  async #log(event: ProxyEvent): Promise<string | null> {
    const response = await postJson({
      url: this.#endpoint,
      body: heliconeLogRequest(event, decodeExchange(event)),
      headers: { authorization: `Bearer ${this.#apiKey}` },
      timeoutMs: this.#timeoutMs,
      dispatcher: this.#agent,
      secrets: [this.#apiKey],
    });
    // Helicone answers 200 {"error": …} when it received the log but could not store it.
    const error = asRecord(response.json)?.error;
    if (error === undefined || error === null) return null;
    return `Helicone could not store the log: ${typeof error === 'string' ? error : JSON.stringify(error)}`;
  }
}
