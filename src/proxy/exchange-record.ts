import type { IncomingHttpHeaders } from 'node:http';

import type { ErrorFormat, ProviderConfig } from '../config/index.js';
import type { CacheOutcome } from '../cache/index.js';
import type { Logger } from '../core/index.js';
import type { Project, TokenRecord } from '../store/index.js';
import type { TokenUsage } from '../usage/index.js';
import type { CacheLookup } from './cache/cache-lookup.js';
import type { RequestBody } from './request-body.js';
import type { AnswerSource, ResponseHeaders } from './taps/tap.js';

/** The start of an answer as the client received it, kept by the event capture tap. */
export interface CapturedResponse {
  /** The response headers (a copy, without the proxy's own). */
  readonly headers: Readonly<ResponseHeaders>;
  /** The first body bytes, up to the capture's cap. */
  readonly body: Buffer;
  /** Body bytes of the whole answer (more than `body` holds when it was capped). */
  readonly size: number;
}

/**
 * What a tap may read of the exchange it wraps. Fields of stages the request has not reached are undefined:
 * a refused request may have no token, project or provider.
 */
export interface ExchangeView {
  readonly requestId: string;
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  readonly path: string;
  readonly requestHeaders: IncomingHttpHeaders;
  readonly token: TokenRecord | undefined;
  readonly project: Project | undefined;
  readonly provider: ProviderConfig | undefined;
  readonly endpoint: string | undefined;
  readonly body: RequestBody | undefined;
  /** The response cache's lookup, for a cacheable request that goes upstream. */
  readonly cache: CacheLookup | undefined;
  /** The shape of the proxy's own errors on this route (OpenAI's or Anthropic's). */
  errorFormat(): ErrorFormat;
  /** Records the tokens the answer used (the usage tap); the last call wins. */
  noteUsage(usage: TokenUsage): void;
  /** Records the answer as captured for events (the event capture tap). */
  noteResponse(response: CapturedResponse): void;
}

/**
 * How an exchange ended:
 * - `completed`: the answer was relayed whole (whatever its status, upstream errors included);
 * - `refused`: the proxy answered with its own error (401, 403, 404, 413, 429, 503 …);
 * - `upstream_failed`: the upstream could not be reached or did not answer (502, 504);
 * - `interrupted`: the upstream failed while its answer was being relayed;
 * - `client_gone`: the client left before the answer was complete.
 */
export type ExchangeOutcome = 'completed' | 'refused' | 'upstream_failed' | 'interrupted' | 'client_gone';

/** One finished `/v1` exchange, handed to every observer once; frozen. */
export interface ExchangeRecord {
  readonly requestId: string;
  /** Wall-clock time the request arrived, epoch milliseconds. */
  readonly startedAt: number;
  readonly method: string;
  readonly path: string;
  /** Null when the request was refused before its project was known. */
  readonly projectId: string | null;
  readonly tokenId: string | null;
  readonly provider: string | null;
  /** The allowlisted endpoint, or null when the path matched none. */
  readonly endpoint: string | null;
  /** The `model` the JSON request body names; null when there is none (or the body was not read). */
  readonly model: string | null;
  /** The status the client received; 499 when it left before any answer (as nginx records it). */
  readonly status: number;
  readonly outcome: ExchangeOutcome;
  /** Who produced the answer; null when there was none. */
  readonly source: AnswerSource | null;
  /** What the response cache did (`X-PROXY-CACHE`); null when the cache is off. */
  readonly cache: CacheOutcome | null;
  /** The proxy's error code when it answered with an error itself (`token_expired`, `timeout` …). */
  readonly errorCode: string | null;
  /** From the request's arrival to the end of its response (or the client leaving). */
  readonly durationMs: number;
  /** From sending the request upstream to its response headers; null when it got none. */
  readonly upstreamMs: number | null;
  /** From the request's arrival to the first body byte sent to the client; null when none was sent. */
  readonly firstByteMs: number | null;
  /** Request body bytes received from the client. */
  readonly bytesIn: number;
  /** Response body bytes sent to the client. */
  readonly bytesOut: number;
  /** Wall-clock time the exchange ended, epoch milliseconds. */
  readonly endedAt: number;
  /** The request's headers as the client sent them (secrets included: an observer that keeps them filters). */
  readonly requestHeaders: IncomingHttpHeaders;
  /** The request's body as it went upstream; null when it had none or the request ended before it was read. */
  readonly requestBody: RequestBody | null;
  /** The answer as captured by the event capture tap; null when no capture ran. */
  readonly response: CapturedResponse | null;
  /** Tokens the answer used, as the usage tap found them; null when none were found or no usage tap ran. */
  readonly usage: TokenUsage | null;
}

/** Receives every exchange; registered at start (metrics first, events and usage later). */
export interface ExchangeObserver {
  readonly name: string;
  /** A request entered the proxy. */
  exchangeStarted?(): void;
  /** An exchange ended; the record is immutable. */
  exchangeFinished(record: ExchangeRecord): void;
}

/** How often one failing observer is reported in the log. */
const FAILURE_LOG_INTERVAL_MS = 60_000;

/**
 * The registered observers, each isolated from the others and from the request: an observer that throws is
 * logged (at most once a minute per observer, with a count) and the next one still runs.
 */
export class ExchangeObservers {
  private readonly observers: readonly ExchangeObserver[];
  private readonly starters: readonly ExchangeObserver[];
  private readonly failures = new Map<string, { count: number; loggedAt: number }>();

  constructor(
    observers: readonly ExchangeObserver[],
    private readonly logger: Logger,
  ) {
    this.observers = [...observers];
    this.starters = observers.filter((observer) => observer.exchangeStarted !== undefined);
  }

  /** Tells the observers that want it that a request entered the proxy. */
  started(): void {
    const { starters } = this;
    for (let at = 0; at < starters.length; at += 1) {
      const observer = starters[at] as ExchangeObserver;
      try {
        observer.exchangeStarted?.();
      } catch (error) {
        this.failed(observer, error);
      }
    }
  }

  /** Hands a finished exchange to every observer. */
  finished(record: ExchangeRecord): void {
    const { observers } = this;
    for (let at = 0; at < observers.length; at += 1) {
      const observer = observers[at] as ExchangeObserver;
      try {
        observer.exchangeFinished(record);
      } catch (error) {
        this.failed(observer, error);
      }
    }
  }

  private failed(observer: ExchangeObserver, error: unknown): void {
    const now = Date.now();
    let entry = this.failures.get(observer.name);
    if (entry === undefined) {
      entry = { count: 0, loggedAt: -Infinity };
      this.failures.set(observer.name, entry);
    }
    entry.count += 1;
    if (now - entry.loggedAt < FAILURE_LOG_INTERVAL_MS) return;
    entry.loggedAt = now;
    this.logger.error(
      { observer: observer.name, failures: entry.count, err: error },
      'exchange observer failed; the request was not affected',
    );
  }
}
