import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

import { AppError, ERRORS, isAppError } from '../core/index.js';
import type { Logger } from '../core/index.js';
import type { ProviderConfig, ProvidersConfig } from '../config/index.js';
import type { Admission, QuotaGate } from '../limits/index.js';
import type { ProxyMetrics } from '../metrics/index.js';
import type { Project, TokenRecord } from '../store/index.js';
import type { ProxyCredentials, TokenAuthority } from '../tokens/index.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { addResponseCorsHeaders } from './cors.js';
import { upstreamRequestHeaders } from './forwarded-headers.js';
import { sendProxyError } from './openai-error.js';
import { answerPreflight } from './preflight.js';
import { readBody } from './read-body.js';
import { checkBody, planBody } from './request-body.js';
import { checkOrigin, presentedToken, providerOf, throwOnVerdict } from './request-checks.js';
import { anyProviderVerdict, endpointOf, verdictFor } from './route-policy.js';
import { toProxyError } from './upstream-errors.js';
import { UpstreamExchange } from './upstream-exchange.js';
import type { ExchangeOutcome, ExchangeOwner } from './upstream-exchange.js';
import type { UpstreamPools } from './upstream-pools.js';

/** What the proxy pipeline needs. */
export interface ProxyHandlerOptions {
  readonly providers: ProvidersConfig;
  readonly authority: TokenAuthority;
  readonly quota: QuotaGate;
  readonly pools: UpstreamPools;
  readonly breakerFor: (provider: ProviderConfig) => CircuitBreaker;
  readonly metrics: ProxyMetrics;
  readonly logger: Logger;
  /** Largest JSON request body read into memory (MAX_REQUEST_SIZE). */
  readonly maxRequestSize: number;
}

/** A raw node:http handler for `/v1/*`. */
export type ProxyHandler = (req: IncomingMessage, res: ServerResponse) => void;

type UpstreamBody = Buffer | IncomingMessage | null;

interface Pipeline extends ProxyHandlerOptions {
  readonly allProviders: readonly ProviderConfig[];
}

// `performance.timeOrigin` is a getter that crosses into C++: read it once.
const TIME_ORIGIN_MS = performance.timeOrigin;

/**
 * Wall-clock time in nanoseconds since the epoch, as the original's X-UPSTREAM-REQUEST-* headers carry it, at
 * microsecond precision, for a `performance.now()` reading: whole microseconds fit a double exactly and print
 * without float formatting.
 */
function epochNanosAt(monotonicMs: number): string {
  return `${Math.round((TIME_ORIGIN_MS + monotonicMs) * 1000)}000`;
}

/**
 * The `/v1` pipeline: allowlist → token → project guard → provider allowlist and origin → body checks →
 * circuit breaker → quota → forward. It runs on the raw node:http request, outside Fastify's routing, logging
 * and hooks, because each of those costs measurable time on the hot path; nothing here touches the database
 * except the atomic quota update of tokens that have a `max_requests`, and a cached token is checked without
 * leaving the current tick.
 */
export function createProxyHandler(options: ProxyHandlerOptions): ProxyHandler {
  const pipeline: Pipeline = { ...options, allProviders: [...options.providers.providers.values()] };
  return function handleProxyRequest(req, res) {
    new ProxyRequest(pipeline, req, res).start();
  };
}

/** One request through the pipeline; its state lives in fields rather than in per-request closures. */
class ProxyRequest implements ExchangeOwner {
  private readonly started = performance.now();
  private readonly requestId = randomUUID();
  private readonly method: string;
  private readonly url: string;
  private readonly path: string;
  private provider = 'none';
  private endpoint = 'unmatched';
  private upstreamSeconds: number | undefined;
  private upstreamStarted = 0;
  private exchange: UpstreamExchange | undefined;
  private admission: Admission | undefined;
  private breaker: CircuitBreaker | undefined;
  private trial = false;
  private token: TokenRecord | undefined;
  private project: Project | undefined;
  private providerConfig: ProviderConfig | undefined;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
  ) {
    this.method = req.method ?? 'GET';
    this.url = req.url ?? '/';
    const queryAt = this.url.indexOf('?');
    this.path = queryAt === -1 ? this.url : this.url.slice(0, queryAt);
    pipeline.metrics.started();
    // 'close' is emitted once; `on` spares the wrapper `once` would allocate.
    res.on('close', this.onClientClose);
  }

  start(): void {
    try {
      this.begin();
    } catch (error) {
      this.fail(error);
    }
  }

  /** The upstream's status and headers arrived: account for them and add the proxy's headers. */
  onUpstreamResponse(status: number, headers: OutgoingHttpHeaders): void {
    const now = performance.now();
    this.upstreamSeconds = (now - this.upstreamStarted) / 1000;
    if (status === 502 || status === 503 || status === 504) this.breaker?.recordFailure();
    else this.breaker?.recordSuccess();
    this.admission?.commit();
    this.addOwnHeaders(headers);
    headers['x-upstream-request-start'] = epochNanosAt(this.upstreamStarted);
    headers['x-upstream-request-stop'] = epochNanosAt(now);
  }

  /** The exchange ended: settle the quota and the circuit breaker. */
  onExchangeDone(outcome: ExchangeOutcome): void {
    switch (outcome.kind) {
      case 'completed':
        return;
      case 'client-gone':
        // Only a request that never left the proxy is given back: one the upstream received may be billed.
        if (!outcome.reachedUpstream) this.admission?.refund();
        // A trial whose client left before the answer says nothing about the upstream: let another one try.
        if (this.trial && !outcome.responded) this.breaker?.release();
        return;
      case 'failed-before-response':
        this.admission?.refund();
        this.breaker?.recordFailure();
        this.fail(toProxyError(outcome.error));
        return;
      case 'failed-mid-response':
        this.breaker?.recordFailure();
        this.pipeline.logger.warn(
          { requestId: this.requestId, err: outcome.error },
          'upstream failed mid-response',
        );
        return;
    }
  }

  /**
   * Checks that need nothing but the request, then the token. A cached token continues in the same tick;
   * the steps below are chained with callbacks rather than async/await because this runs on every request.
   */
  private begin(): void {
    const { pipeline, req, method, path } = this;
    if (method === 'OPTIONS') {
      answerPreflight(req, this.res, pipeline.allProviders, path, this.addOwnHeaders({}));
      return;
    }
    throwOnVerdict(anyProviderVerdict(pipeline.allProviders, method, path));
    const secret = presentedToken(req.headers);
    const cached = pipeline.authority.authenticateCached(secret);
    if (cached !== undefined) {
      this.authorized(cached);
      return;
    }
    pipeline.authority.authenticate(secret).then(
      (credentials) => {
        this.guarded(() => {
          this.authorized(credentials);
        });
      },
      (error: unknown) => {
        this.fail(error);
      },
    );
  }

  private authorized({ token, project }: ProxyCredentials): void {
    const { pipeline, req, method, path } = this;
    const provider = providerOf(project, pipeline.providers);
    const endpoint = endpointOf(provider, path);
    throwOnVerdict(verdictFor(provider, endpoint, method));
    this.provider = provider.name;
    this.endpoint = endpoint ?? 'unmatched';
    checkOrigin(provider, req.headers.origin);
    this.token = token;
    this.project = project;
    this.providerConfig = provider;
    const plan = planBody(req, method, provider);
    if (plan.kind === 'send') {
      this.admit(plan.body);
      return;
    }
    readBody(req, pipeline.maxRequestSize, (error, body) => {
      try {
        if (error !== undefined || body === undefined) throw error ?? new Error('request body missing');
        checkBody(body, plan, provider);
        this.admit(body);
      } catch (failure) {
        this.fail(failure);
      }
    });
  }

  private admit(body: UpstreamBody): void {
    const provider = this.providerConfig;
    const token = this.token;
    if (provider === undefined || token === undefined) throw new Error('admit before authorization');
    const breaker = this.pipeline.breakerFor(provider);
    // Admitted while the circuit is not closed, a request is its one trial.
    const trial = breaker.state !== 'closed';
    const admitted = breaker.admit();
    if (!admitted.allowed) {
      throw new AppError(ERRORS.CIRCUIT_OPEN, {
        headers: { 'retry-after': String(admitted.retryAfterSeconds) },
      });
    }
    this.breaker = breaker;
    this.trial = trial;
    let pending: Admission | Promise<Admission>;
    try {
      pending = this.pipeline.quota.admit(token);
    } catch (error) {
      this.releaseTrial();
      throw error;
    }
    if (!(pending instanceof Promise)) {
      this.forward(pending, body);
      return;
    }
    pending.then(
      (admission) => {
        this.guarded(() => {
          this.forward(admission, body);
        });
      },
      (error: unknown) => {
        this.releaseTrial();
        this.fail(error);
      },
    );
  }

  private forward(admission: Admission, body: UpstreamBody): void {
    const { pipeline, req, providerConfig: provider, project } = this;
    if (provider === undefined || project === undefined) throw new Error('forward before authorization');
    this.admission = admission;
    this.upstreamStarted = performance.now();
    this.exchange = new UpstreamExchange(this.res, this);
    pipeline.pools.poolFor(provider).dispatch(
      {
        path: this.url,
        method: this.method,
        headers: upstreamRequestHeaders(req.headers, {
          auth: provider.auth,
          apiKey: project.apiKey,
          requestId: this.requestId,
          projectId: project.id,
        }),
        body,
      },
      this.exchange,
    );
  }

  private releaseTrial(): void {
    if (this.trial) this.breaker?.release();
  }

  /** Runs a continuation, answering whatever it throws with the proxy's error response. */
  private guarded(step: () => void): void {
    try {
      step();
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    const appError = isAppError(error) ? error : new AppError(ERRORS.INTERNAL, { cause: error });
    if (appError.statusCode >= 500) {
      this.pipeline.logger.warn(
        { requestId: this.requestId, code: appError.code, err: appError.cause ?? appError },
        'proxy request failed',
      );
    }
    this.pipeline.metrics.proxyError(appError.code);
    sendProxyError(this.res, appError, this.addOwnHeaders({}));
  }

  /** Adds the proxy's own response headers: its request id, `X-Proxy` and, for browsers, CORS. */
  private addOwnHeaders(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
    headers['x-request-id'] = this.requestId;
    headers['x-proxy'] = 'llm-proxy';
    const origin = this.req.headers.origin;
    if (origin !== undefined) addResponseCorsHeaders(headers, origin);
    return headers;
  }

  private readonly onClientClose = (): void => {
    this.exchange?.clientClosed();
    const { res } = this;
    this.pipeline.metrics.finished(
      {
        provider: this.provider,
        endpoint: this.endpoint,
        method: this.method,
        // 499 (the client closed the request) when it left before any answer, as nginx records it.
        status: res.headersSent ? res.statusCode : 499,
      },
      (performance.now() - this.started) / 1000,
      this.upstreamSeconds,
    );
  };
}
