import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

import { AppError, ERRORS, isAppError } from '../core/index.js';
import type { Logger } from '../core/index.js';
import type { ProviderConfig, ProvidersConfig } from '../config/index.js';
import type { Admission, QuotaGate } from '../limits/index.js';
import type { ProxyMetrics, RequestLabels } from '../metrics/index.js';
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
import type { ExchangeOutcome } from './upstream-exchange.js';
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

type MutableLabels = { -readonly [K in keyof RequestLabels]: RequestLabels[K] };

/** Wall-clock time in nanoseconds since the epoch, as the original's X-UPSTREAM-REQUEST-* headers carry it. */
function epochNanos(): string {
  const ms = performance.timeOrigin + performance.now();
  const whole = Math.floor(ms);
  return `${whole}${String(Math.round((ms - whole) * 1e6)).padStart(6, '0')}`;
}

/**
 * The `/v1` pipeline: allowlist → token → project guard → provider allowlist and origin → body checks →
 * circuit breaker → quota → forward. It runs on the raw node:http request, outside Fastify's routing, logging
 * and hooks, because each of those costs measurable time on the hot path; nothing here touches the database
 * except the atomic quota update of tokens that have a `max_requests`, and a cached token is checked without
 * leaving the current tick.
 */
export function createProxyHandler(options: ProxyHandlerOptions): ProxyHandler {
  const { authority, metrics, logger } = options;
  const allProviders = [...options.providers.providers.values()];

  return function handleProxyRequest(req, res) {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const origin = req.headers.origin;
    const requestId = randomUUID();
    const baseHeaders: OutgoingHttpHeaders =
      origin === undefined
        ? { 'x-request-id': requestId, 'x-proxy': 'llm-proxy' }
        : { 'x-request-id': requestId, 'x-proxy': 'llm-proxy', ...responseCorsHeaders(origin) };
    const labels: MutableLabels = { provider: 'none', endpoint: 'unmatched', method, status: 0 };
    let upstreamSeconds: number | undefined;
    let exchange: UpstreamExchange | undefined;
    metrics.started();
    res.once('close', () => {
      exchange?.clientClosed();
      // 499 (the client closed the request) when it left before any answer, as nginx records it.
      labels.status = res.headersSent ? res.statusCode : 499;
      metrics.finished(labels, (performance.now() - started) / 1000, upstreamSeconds);
    });

    const fail = (error: unknown): void => {
      const appError = isAppError(error) ? error : new AppError(ERRORS.INTERNAL, { cause: error });
      if (appError.statusCode >= 500) {
        logger.warn(
          { requestId, code: appError.code, err: appError.cause ?? appError },
          'proxy request failed',
        );
      }
      metrics.proxyError(appError.code);
      sendProxyError(res, appError, baseHeaders);
    };

    const serve = async (): Promise<void> => {
      if (method === 'OPTIONS') {
        answerPreflight(req, res, allProviders, path, baseHeaders);
        return;
      }
      throwOnVerdict(anyProviderVerdict(allProviders, method, path));
      const secret = presentedToken(req.headers);
      const { token, project } =
        authority.authenticateCached(secret) ?? (await authority.authenticate(secret));
      const provider = providerOf(project, options.providers);
      throwOnVerdict(routeVerdict(provider, method, path));
      labels.provider = provider.name;
      labels.endpoint = endpointOf(provider, path) ?? 'unmatched';
      checkOrigin(provider, origin);
      const body = await requestBody(req, method, provider, options.maxRequestSize);
      const breaker = options.breakerFor(provider);
      // Admitted while the circuit is not closed, a request is its one trial.
      const trial = breaker.state !== 'closed';
      const admitted = breaker.admit();
      if (!admitted.allowed) {
        throw new AppError(ERRORS.CIRCUIT_OPEN, {
          headers: { 'retry-after': String(admitted.retryAfterSeconds) },
        });
      }
      let admission: Admission;
      try {
        const pending = options.quota.admit(token);
        admission = pending instanceof Promise ? await pending : pending;
      } catch (error) {
        if (trial) breaker.release();
        throw error;
      }
      const upstreamStart = epochNanos();
      const upstreamStarted = performance.now();
      exchange = new UpstreamExchange({
        res,
        onResponseStart: (status, headers) => {
          upstreamSeconds = (performance.now() - upstreamStarted) / 1000;
          if (status === 502 || status === 503 || status === 504) breaker.recordFailure();
          else breaker.recordSuccess();
          admission.commit();
          Object.assign(headers, baseHeaders);
          headers['x-upstream-request-start'] = upstreamStart;
          headers['x-upstream-request-stop'] = epochNanos();
        },
        onDone: (outcome) => {
          settle(outcome, admission, breaker, trial);
        },
      });
      options.pools.poolFor(provider).dispatch(
        {
          path: url,
          method,
          headers: upstreamRequestHeaders(req.headers, {
            auth: provider.auth,
            apiKey: project.apiKey,
            requestId,
            projectId: project.id,
          }),
          body,
        },
        exchange,
      );
    };

    const settle = (
      outcome: ExchangeOutcome,
      admission: Admission,
      breaker: CircuitBreaker,
      trial: boolean,
    ): void => {
      switch (outcome.kind) {
        case 'completed':
          return;
        case 'client-gone':
          // Only a request that never left the proxy is given back: one the upstream received may be billed.
          if (!outcome.reachedUpstream) admission.refund();
          // A trial whose client left before the answer says nothing about the upstream: let another one try.
          if (trial && !outcome.responded) breaker.release();
          return;
        case 'failed-before-response':
          admission.refund();
          breaker.recordFailure();
          fail(toProxyError(outcome.error));
          return;
        case 'failed-mid-response':
          breaker.recordFailure();
          logger.warn({ requestId, err: outcome.error }, 'upstream failed mid-response');
          return;
      }
    };

    serve().catch(fail);
  };
}
