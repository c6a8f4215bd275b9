import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

import { AppError, ERRORS, isAppError } from '../core/index.js';
import type { Logger } from '../core/index.js';
import type { ProviderConfig, ProvidersConfig } from '../config/index.js';
import type { Admission, QuotaGate } from '../limits/index.js';
import type { ProxyMetrics } from '../metrics/index.js';
import type { TokenAuthority } from '../tokens/index.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { responseCorsHeaders } from './cors.js';
import { upstreamRequestHeaders } from './forwarded-headers.js';
import { sendProxyError } from './openai-error.js';
import { answerPreflight } from './preflight.js';
import { requestBody } from './request-body.js';
import { checkOrigin, presentedToken, providerOf, throwOnVerdict } from './request-checks.js';
import { anyProviderVerdict, endpointOf, routeVerdict } from './route-policy.js';
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

interface Pipeline extends ProxyHandlerOptions {
  readonly allProviders: readonly ProviderConfig[];
}

// `performance.timeOrigin` is a getter that crosses into C++: read it once.
const TIME_ORIGIN_MS = performance.timeOrigin;

/**
 * Wall-clock time in nanoseconds since the epoch, as the original's X-UPSTREAM-REQUEST-* headers carry it, at
 * microsecond precision: whole microseconds fit a double exactly and print without float formatting.
 */
function epochNanos(): string {
  return `${Math.round((TIME_ORIGIN_MS + performance.now()) * 1000)}000`;
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
  private readonly baseHeaders: OutgoingHttpHeaders;
  private provider = 'none';
  private endpoint = 'unmatched';
  private upstreamSeconds: number | undefined;
  private upstreamStart = '';
  private upstreamStarted = 0;
  private exchange: UpstreamExchange | undefined;
  private admission: Admission | undefined;
  private breaker: CircuitBreaker | undefined;
  private trial = false;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
  ) {
    this.method = req.method ?? 'GET';
    this.url = req.url ?? '/';
    const queryAt = this.url.indexOf('?');
    this.path = queryAt === -1 ? this.url : this.url.slice(0, queryAt);
    const origin = req.headers.origin;
    this.baseHeaders =
      origin === undefined
        ? { 'x-request-id': this.requestId, 'x-proxy': 'llm-proxy' }
        : { 'x-request-id': this.requestId, 'x-proxy': 'llm-proxy', ...responseCorsHeaders(origin) };
    pipeline.metrics.started();
    res.once('close', this.onClientClose);
  }

  start(): void {
    this.serve().catch(this.fail);
  }

  /** The upstream's status and headers arrived: account for them and add the proxy's headers. */
  onUpstreamResponse(status: number, headers: OutgoingHttpHeaders): void {
    this.upstreamSeconds = (performance.now() - this.upstreamStarted) / 1000;
    if (status === 502 || status === 503 || status === 504) this.breaker?.recordFailure();
    else this.breaker?.recordSuccess();
    this.admission?.commit();
    Object.assign(headers, this.baseHeaders);
    headers['x-upstream-request-start'] = this.upstreamStart;
    headers['x-upstream-request-stop'] = epochNanos();
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

  private async serve(): Promise<void> {
    const { pipeline, req, method, path } = this;
    if (method === 'OPTIONS') {
      answerPreflight(req, this.res, pipeline.allProviders, path, this.baseHeaders);
      return;
    }
    throwOnVerdict(anyProviderVerdict(pipeline.allProviders, method, path));
    const secret = presentedToken(req.headers);
    const { token, project } =
      pipeline.authority.authenticateCached(secret) ?? (await pipeline.authority.authenticate(secret));
    const provider = providerOf(project, pipeline.providers);
    throwOnVerdict(routeVerdict(provider, method, path));
    this.provider = provider.name;
    this.endpoint = endpointOf(provider, path) ?? 'unmatched';
    checkOrigin(provider, req.headers.origin);
    const body = await requestBody(req, method, provider, pipeline.maxRequestSize);
    const breaker = pipeline.breakerFor(provider);
    // Admitted while the circuit is not closed, a request is its one trial.
    const trial = breaker.state !== 'closed';
    const admitted = breaker.admit();
    if (!admitted.allowed) {
      throw new AppError(ERRORS.CIRCUIT_OPEN, {
        headers: { 'retry-after': String(admitted.retryAfterSeconds) },
      });
    }
    try {
      const pending = pipeline.quota.admit(token);
      this.admission = pending instanceof Promise ? await pending : pending;
    } catch (error) {
      if (trial) breaker.release();
      throw error;
    }
    this.breaker = breaker;
    this.trial = trial;
    this.upstreamStart = epochNanos();
    this.upstreamStarted = performance.now();
    this.exchange = new UpstreamExchange(this.res, this);
    pipeline.pools.poolFor(provider).dispatch(
      {
        path: this.url,
        method,
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

  private readonly fail = (error: unknown): void => {
    const appError = isAppError(error) ? error : new AppError(ERRORS.INTERNAL, { cause: error });
    if (appError.statusCode >= 500) {
      this.pipeline.logger.warn(
        { requestId: this.requestId, code: appError.code, err: appError.cause ?? appError },
        'proxy request failed',
      );
    }
    this.pipeline.metrics.proxyError(appError.code);
    sendProxyError(this.res, appError, this.baseHeaders);
  };

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
