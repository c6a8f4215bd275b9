import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

import type { Dispatcher } from 'undici';

import type { CacheSignal } from '../cache/index.js';
import type { ErrorFormat, ProviderConfig } from '../config/index.js';
import { bodyStillArriving } from '../core/index.js';
import type { Logger } from '../core/index.js';
import type { Admission } from '../limits/index.js';
import type { Project, TokenRecord } from '../store/index.js';
import type { CacheLookup } from './cache/cache-lookup.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { browserMayRead } from './cors.js';
import { releaseTrials } from './circuit-settlement.js';
import type { TokenUsage } from '../usage/index.js';
import type {
  CapturedResponse,
  ExchangeObservers,
  ExchangeOutcome,
  ExchangeRecord,
  ExchangeView,
} from './exchange-record.js';
import type { RequestBody } from './request-body.js';
import { requestModel } from './request-model.js';
import type { Admitted, RequestFacts, UpstreamKeeper } from './request-state.js';
import type { RouteErrorFormats } from './route-error-format.js';
import { ClientRelay } from './taps/client-relay.js';
import { playLocalAnswer } from './taps/local-answer.js';
import type { LocalAnswer } from './taps/local-answer.js';
import { composeTaps } from './taps/tap.js';
import type { AnswerSource, ExchangeHandler, ResponseTap } from './taps/tap.js';
import { CLIENT_GONE, UpstreamLink } from './taps/upstream-link.js';

/** What every exchange of one gateway shares: built once at start. */
export interface ExchangeEnvironment {
  readonly taps: readonly ResponseTap[];
  readonly observers: ExchangeObservers;
  readonly logger: Logger;
  /** Every provider's `allowed_origins`: who may read an answer given before the provider is known. */
  readonly corsOrigins: ReadonlySet<string>;
  readonly errorFormats: RouteErrorFormats;
  /** The signal of an answer the cache did not look at (a refusal), when the cache is on. */
  readonly cacheBypass: CacheSignal | undefined;
}

// `performance.timeOrigin` is a getter that crosses into C++: read it once.
const TIME_ORIGIN_MS = performance.timeOrigin;

/**
 * One `/v1` exchange: the request state the pipeline's steps extend (see request-state.ts), and the response
 * side's bookkeeping from which the exchange record is built. The record is handed to the observers once both
 * sides are done — the client's connection closed and, when the request went upstream, the upstream exchange
 * settled — so that every tap has seen the end before any observer runs.
 */
export class ProxyExchange implements RequestFacts, ExchangeView {
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly startedAt = performance.now();

  // Request stages, set by the steps through request-state.ts.
  token: TokenRecord | undefined = undefined;
  project: Project | undefined = undefined;
  provider: ProviderConfig | undefined = undefined;
  endpoint: string | undefined = undefined;
  body: RequestBody | undefined = undefined;
  connectBreaker: CircuitBreaker | undefined = undefined;
  connectTrial = false;
  projectBreaker: CircuitBreaker | undefined = undefined;
  projectTrial = false;
  admission: Admission | undefined = undefined;

  // The response cache (see request-state.ts CacheFacts).
  cache: CacheLookup | undefined = undefined;
  cacheSignal: CacheSignal | undefined = undefined;
  upstreamKeeper: UpstreamKeeper | undefined = undefined;
  extraUpstreamHeaders: Record<string, string> | undefined = undefined;
  collapseAllowed = true;

  // The stream-usage step (see request-state.ts StreamUsageFacts).
  streamUsageAdded = false;

  // Response side.
  /** The upstream request's controller, once it left (aborted when the client goes away). */
  controller: Dispatcher.DispatchController | undefined = undefined;
  source: AnswerSource | undefined = undefined;
  errorCode: string | undefined = undefined;
  outcome: ExchangeOutcome | undefined = undefined;
  clientGone: boolean;
  reachedUpstream = false;
  upstreamStartedAt = 0;
  upstreamRespondedAt = 0;
  firstByteAt = 0;
  bytesOut = 0;
  usage: TokenUsage | undefined = undefined;
  capturedResponse: CapturedResponse | undefined = undefined;
  private upstreamPending = false;
  private clientClosed = false;
  private finished = false;

  constructor(
    readonly requestId: string,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    private readonly environment: ExchangeEnvironment,
  ) {
    this.method = req.method ?? 'GET';
    this.url = req.url ?? '/';
    const queryAt = this.url.indexOf('?');
    this.path = queryAt === -1 ? this.url : this.url.slice(0, queryAt);
    // The client may already have left (a request can outlive its socket by a tick).
    this.clientGone = res.destroyed;
    environment.observers.started();
    // 'close' is emitted once; `on` spares the wrapper `once` would allocate.
    res.on('close', this.onClientClose);
  }

  get requestHeaders(): IncomingHttpHeaders {
    return this.req.headers;
  }

  get logger(): Logger {
    return this.environment.logger;
  }

  /**
   * Whether a browser at `origin` may read this answer: the origin is in the `allowed_origins` of the
   * project's provider or, for an answer given before that is known (a bad token), of any provider.
   */
  browserMayRead(origin: string): boolean {
    const { provider } = this;
    return provider === undefined
      ? this.environment.corsOrigins.has(origin)
      : browserMayRead(origin, provider.allowedOrigins);
  }

  /**
   * The cache signal the client is sent: what the cache decided, or — for an answer given before it looked (a
   * refusal, a preflight) — a bypass; undefined while the cache is off. Recorded as sent: an exchange whose
   * client left before any answer and before the lookup ended has no cache outcome.
   */
  cacheSignalToSend(): CacheSignal | undefined {
    this.cacheSignal ??= this.environment.cacheBypass;
    return this.cacheSignal;
  }

  /** The shape of the proxy's errors on this request's route (OpenAI's or Anthropic's). */
  errorFormat(): ErrorFormat {
    return this.environment.errorFormats.formatOf(this.path, this.project);
  }

  noteUsage(usage: TokenUsage): void {
    this.usage = usage;
  }

  noteResponse(response: CapturedResponse): void {
    this.capturedResponse = response;
  }

  /** The response chain of this exchange: the taps around the client relay. */
  responseChain(): ExchangeHandler {
    return composeTaps(this.environment.taps, new ClientRelay(this), this);
  }

  /**
   * Answers the request from the proxy itself (an error, a preflight, later a cache hit), played through the
   * same taps as an upstream answer.
   */
  answerLocally(answer: LocalAnswer, source: AnswerSource, errorCode?: string): void {
    if (errorCode !== undefined) {
      this.errorCode = errorCode;
      this.outcome = 'refused';
    }
    if (this.res.headersSent) {
      // An error after the answer began (cannot happen for a step, which runs before it): cut the response.
      this.res.destroy();
      return;
    }
    // A body still arriving may be only the rest of the packet its headers came in, which node:http parses
    // after this tick's promises: look again once it has. If it is still arriving then, close rather than
    // wait for it (a client could hold the connection by never sending the rest).
    if (bodyStillArriving(this.req)) setImmediate(playWhenParsed, this, answer, source);
    else playLocalAnswer(this.responseChain(), answer, source);
  }

  /** Plays a local answer once the packet of the request's headers has been parsed. */
  playWhenParsed(answer: LocalAnswer, source: AnswerSource): void {
    const played = bodyStillArriving(this.req) ? closingConnection(answer) : answer;
    playLocalAnswer(this.responseChain(), played, source);
  }

  /** Sends the admitted request upstream; its answer comes back through the taps to the client. */
  dispatchUpstream(
    dispatcher: Dispatcher,
    headers: Record<string, string | string[]>,
    state: Admitted,
  ): void {
    const link = new UpstreamLink(this.responseChain(), this, state);
    this.upstreamPending = true;
    this.upstreamStartedAt = performance.now();
    try {
      dispatcher.dispatch(
        {
          path: this.url,
          method: this.method,
          headers,
          // undici sends any async iterable as a body (client-h1 `writeIterable`); its types name only Readable.
          body: state.body.payload as Buffer | null,
        },
        link,
      );
    } catch (error) {
      // Nothing left the proxy: give back what the request was admitted with.
      this.upstreamPending = false;
      state.admission.refund();
      releaseTrials(state);
      throw error;
    }
  }

  /** The upstream request settled (ended, failed or was aborted): every tap has seen its end. */
  upstreamSettled(): void {
    if (!this.upstreamPending) return;
    this.upstreamPending = false;
    if (this.clientClosed) this.finish();
  }

  /** Wall-clock nanoseconds (at microsecond precision) of a `performance.now()` reading. */
  epochNanosAt(monotonicMs: number): string {
    // Whole microseconds fit a double exactly and print without float formatting.
    return `${Math.round((TIME_ORIGIN_MS + monotonicMs) * 1000)}000`;
  }

  private readonly onClientClose = (): void => {
    this.clientClosed = true;
    if (!this.res.writableFinished) {
      this.clientGone = true;
      this.outcome ??= 'client_gone';
      // A collapsed answer other clients still wait for keeps coming; it is aborted when the last one leaves.
      if (this.upstreamKeeper?.clientLeft() !== true) this.controller?.abort(CLIENT_GONE);
    }
    if (!this.upstreamPending) this.finish();
  };

  private finish(): void {
    // Aborting the upstream may settle it at once, from within the client's 'close' handler.
    if (this.finished) return;
    this.finished = true;
    const { res } = this;
    const now = performance.now();
    const record: ExchangeRecord = {
      requestId: this.requestId,
      startedAt: Math.round(TIME_ORIGIN_MS + this.startedAt),
      method: this.method,
      path: this.path,
      projectId: this.project?.id ?? null,
      tokenId: this.token?.id ?? null,
      provider: this.provider?.name ?? null,
      endpoint: this.endpoint ?? null,
      model: requestModel(this.body),
      status: res.headersSent ? res.statusCode : 499,
      outcome: this.outcome ?? 'completed',
      source: this.source ?? null,
      cache: this.environment.cacheBypass === undefined ? null : (this.cacheSignal?.outcome ?? null),
      errorCode: this.errorCode ?? null,
      durationMs: now - this.startedAt,
      upstreamMs: this.upstreamRespondedAt === 0 ? null : this.upstreamRespondedAt - this.upstreamStartedAt,
      firstByteMs: this.firstByteAt === 0 ? null : this.firstByteAt - this.startedAt,
      bytesIn: this.body?.size() ?? 0,
      bytesOut: this.bytesOut,
      endedAt: Math.round(TIME_ORIGIN_MS + now),
      requestHeaders: this.req.headers,
      requestBody: this.body ?? null,
      response: this.capturedResponse ?? null,
      usage: this.usage ?? null,
    };
    this.environment.observers.finished(Object.freeze(record));
  }
}

// A plain function with the exchange as its argument: no closure is allocated per refusal.
function playWhenParsed(exchange: ProxyExchange, answer: LocalAnswer, source: AnswerSource): void {
  exchange.playWhenParsed(answer, source);
}

function closingConnection(answer: LocalAnswer): LocalAnswer {
  return { ...answer, headers: { ...answer.headers, connection: 'close' } };
}
