import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

import { AppError, ERRORS, isAppError } from '../core/index.js';
import type { Logger } from '../core/index.js';
import type { ProviderConfig, ProvidersConfig } from '../config/index.js';
import type { Admission, QuotaGate } from '../limits/index.js';
import type { ProxyMetrics, RequestLabels } from '../metrics/index.js';
import type { Project } from '../store/index.js';
import type { TokenAuthority } from '../tokens/index.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { originAllowed, preflightHeaders, responseCorsHeaders } from './cors.js';
import { upstreamRequestHeaders } from './forwarded-headers.js';
import { sendProxyError } from './openai-error.js';
import { findParamViolation, isJsonContentType } from './param-whitelist.js';
import { readBody } from './read-body.js';
import { anyProviderVerdict, endpointOf, routeVerdict } from './route-policy.js';
import type { RouteVerdict } from './route-policy.js';
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

const BODILESS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS']);
const nowNs = (): string => String(Math.round((performance.timeOrigin + performance.now()) * 1e6));

/**
 * The `/v1` pipeline: allowlist → token → project guard → provider allowlist and origin → body checks →
 * circuit breaker → quota → forward. It runs on the raw node:http request, outside Fastify's routing, logging
 * and hooks, because each of those costs measurable time on the hot path; nothing here touches the database
 * except the atomic quota update of tokens that have a `max_requests`.
 */
export function createProxyHandler(options: ProxyHandlerOptions): ProxyHandler {
  const allProviders = [...options.providers.providers.values()];

  return function handleProxyRequest(req, res) {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const origin = req.headers.origin;
    const requestId = randomUUID();
    const baseHeaders: OutgoingHttpHeaders = {
      'x-request-id': requestId,
      'x-proxy': 'llm-proxy',
      ...responseCorsHeaders(origin),
    };
    const labels: { -readonly [K in keyof RequestLabels]: RequestLabels[K] } = {
      provider: 'none',
      endpoint: 'unmatched',
      method,
      status: 0,
    };
    let upstreamSeconds: number | undefined;
    options.metrics.started();
    res.once('close', () => {
      // 499 (the client closed the request) when it left before any answer, as nginx records it.
      labels.status = res.headersSent ? res.statusCode : 499;
      options.metrics.finished(labels, (performance.now() - started) / 1000, upstreamSeconds);
    });

    const fail = (error: unknown): void => {
      const appError = isAppError(error) ? error : new AppError(ERRORS.INTERNAL, { cause: error });
      if (appError.statusCode >= 500) {
        options.logger.warn(
          { requestId, code: appError.code, err: appError.cause ?? appError },
          'proxy request failed',
        );
      }
      options.metrics.proxyError(appError.code);
      sendProxyError(res, appError, baseHeaders);
    };

    const serve = async (): Promise<void> => {
      if (method === 'OPTIONS') {
        answerPreflight(req, res, allProviders, path, baseHeaders);
        return;
      }
      throwOnVerdict(anyProviderVerdict(allProviders, method, path));
      const { token, project } = await options.authority.authenticate(presentedToken(req.headers));
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
        admission = await options.quota.admit(token);
      } catch (error) {
        if (trial) breaker.release();
        throw error;
      }
      const upstreamStart = nowNs();
      const upstreamStarted = performance.now();
      const exchange = new UpstreamExchange({
        res,
        extraHeaders: baseHeaders,
        onResponseStart: (status) => {
          upstreamSeconds = (performance.now() - upstreamStarted) / 1000;
          if (status === 502 || status === 503 || status === 504) breaker.recordFailure();
          else breaker.recordSuccess();
          admission.commit();
          return { 'x-upstream-request-start': upstreamStart, 'x-upstream-request-stop': nowNs() };
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
          options.logger.warn({ requestId, err: outcome.error }, 'upstream failed mid-response');
          return;
      }
    };

    serve().catch(fail);
  };
}

function throwOnVerdict(verdict: RouteVerdict): void {
  if (verdict === 'endpoint_not_found') throw new AppError(ERRORS.ENDPOINT_NOT_FOUND);
  if (verdict === 'method_not_allowed')
    throw new AppError(ERRORS.METHOD_NOT_ALLOWED, { message: 'Method not allowed' });
}

/** The llm-proxy token from `Authorization: Bearer …` (OpenAI clients) or `x-api-key` (Anthropic clients). */
function presentedToken(headers: IncomingHttpHeaders): string {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const space = authorization.indexOf(' ');
    if (space > 0 && authorization.slice(0, space).toLowerCase() === 'bearer') {
      const token = authorization.slice(space + 1).trim();
      if (token !== '') return token;
    }
    throw new AppError(ERRORS.INVALID_TOKEN);
  }
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.trim() !== '') return apiKey.trim();
  throw new AppError(ERRORS.INVALID_TOKEN);
}

function providerOf(project: Project, providers: ProvidersConfig): ProviderConfig {
  const provider = providers.providers.get(project.provider ?? providers.defaultProvider);
  if (provider === undefined) throw new AppError(ERRORS.PROVIDER_NOT_CONFIGURED);
  return provider;
}

function checkOrigin(provider: ProviderConfig, origin: string | undefined): void {
  if (origin === undefined) {
    if (provider.requireOrigin) throw new AppError(ERRORS.ORIGIN_REQUIRED);
    return;
  }
  if (!originAllowed(origin, provider.allowedOrigins)) throw new AppError(ERRORS.ORIGIN_NOT_ALLOWED);
}

/**
 * The body to send upstream: JSON is read (bounded) so the param whitelist can be checked; anything else —
 * multipart uploads, audio, files — streams straight through without being buffered. With a whitelist, bodies
 * without a content type or with a text one are read like JSON too, so a mislabelled JSON body cannot slip past
 * it; multipart form fields are not checked.
 */
async function requestBody(
  req: IncomingMessage,
  method: string,
  provider: ProviderConfig,
  limit: number,
): Promise<Buffer | IncomingMessage | null> {
  const length = req.headers['content-length'];
  const hasBody = length !== undefined ? length !== '0' : req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return BODILESS.has(method) ? null : Buffer.alloc(0);
  const whitelist = provider.paramWhitelist;
  const checked = Object.keys(whitelist).length > 0;
  const contentType = req.headers['content-type'];
  const json = isJsonContentType(contentType);
  if (!json && !(checked && isUnlabelledOrText(contentType))) return req;
  const body = await readBody(req, limit);
  if (!checked) return body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    if (!json) return body;
    throw new AppError(ERRORS.INVALID_JSON_BODY);
  }
  const violation = findParamViolation(parsed, whitelist);
  if (violation !== undefined) {
    throw new AppError(ERRORS.PARAM_NOT_ALLOWED, {
      message: `Parameter '${violation.field}' value '${violation.value}' is not allowed. Allowed patterns: [${violation.patterns.join(' ')}]`,
    });
  }
  return body;
}

function isUnlabelledOrText(contentType: string | undefined): boolean {
  return contentType === undefined || contentType.trimStart().toLowerCase().startsWith('text/');
}

function answerPreflight(
  req: IncomingMessage,
  res: ServerResponse,
  providers: readonly ProviderConfig[],
  path: string,
  baseHeaders: OutgoingHttpHeaders,
): void {
  const serving = providers.filter((provider) => endpointOf(provider, path) !== undefined);
  if (serving.length === 0) throw new AppError(ERRORS.ENDPOINT_NOT_FOUND);
  const origin = req.headers.origin;
  if (origin !== undefined && !serving.some((provider) => originAllowed(origin, provider.allowedOrigins))) {
    throw new AppError(ERRORS.ORIGIN_NOT_ALLOWED);
  }
  const methods = [...new Set(serving.flatMap((provider) => provider.allowedMethods))].join(', ');
  res.writeHead(204, {
    'x-request-id': baseHeaders['x-request-id'],
    'x-proxy': 'llm-proxy',
    allow: methods,
    ...preflightHeaders(origin, req.headers['access-control-request-headers']),
  });
  res.end();
  req.resume();
}
