import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { ProvidersConfig } from '../config/index.js';
import { forwardSignal } from '../cache/index.js';
import type { Logger } from '../core/index.js';
import type { QuotaGate } from '../limits/index.js';
import type { TokenAuthority } from '../tokens/index.js';
import { BodyRateGuard } from './body-rate-guard.js';
import { ProxyCache } from './cache/proxy-cache.js';
import type { ProxyCacheOptions } from './cache/proxy-cache-context.js';
import type { BodyRateGuardOptions } from './body-rate-guard.js';
import { respondWithError } from './error-responder.js';
import { ExchangeObservers } from './exchange-record.js';
import type { ExchangeObserver } from './exchange-record.js';
import type { CircuitSource } from './provider-breakers.js';
import { ProxyExchange } from './proxy-exchange.js';
import type { ExchangeEnvironment } from './proxy-exchange.js';
import type { RequestFacts } from './request-state.js';
import { RouteErrorFormats } from './route-error-format.js';
import { cacheLookupStep } from './steps/cache-lookup-step.js';
import { circuitBreakerStep } from './steps/circuit-breaker-step.js';
import { forwardStep } from './steps/forward-step.js';
import { projectGuardStep } from './steps/project-guard-step.js';
import { providerRulesStep } from './steps/provider-rules-step.js';
import { quotaStep } from './steps/quota-step.js';
import { routeAllowlistStep } from './steps/route-allowlist-step.js';
import { streamUsageStep } from './steps/stream-usage-step.js';
import { tokenStep } from './steps/token-step.js';
import { PipelineBuilder } from './step-runner.js';
import type { Pipeline } from './step-runner.js';
import { cacheCaptureTap } from './taps/cache-capture-tap.js';
import { keyMaskTap } from './taps/key-mask-tap.js';
import type { ResponseTap } from './taps/tap.js';
import { UsageTap } from './taps/usage-tap.js';
import type { UpstreamPools } from './upstream-pools.js';

/** The signal of an answer given before the cache could look (a refusal, a preflight). */
const CACHE_NOT_CONSULTED = forwardSignal('bypass', false);

/** What the proxy pipeline is built from. */
export interface ProxyHandlerOptions {
  readonly providers: ProvidersConfig;
  readonly authority: TokenAuthority;
  readonly quota: QuotaGate;
  readonly pools: UpstreamPools;
  /** The providers' connect circuits and the projects' circuits. */
  readonly breakers: CircuitSource;
  readonly logger: Logger;
  /** Largest JSON request body read into memory (MAX_REQUEST_SIZE). */
  readonly maxRequestSize: number;
  /** The minimum rate request bodies must arrive at. @default no minimum */
  readonly bodyRate?: BodyRateGuardOptions;
  /** Refuse tokens of deactivated projects (LLM_PROXY_ENFORCE_PROJECT_ACTIVE). @default true */
  readonly enforceProjectActive?: boolean;
  /** The response cache; left out, nothing is looked up or stored and no cache headers are sent. */
  readonly cache?: ProxyCacheOptions;
  /**
   * Response taps, outermost first. A usage tap (`usageTap()`) also puts the stream-usage step in the pipeline
   * and is placed right after the cache capture, wherever it is listed: the cache stores the stream the upstream
   * sent, and every other tap sees it as the client does. @default []
   */
  readonly taps?: readonly ResponseTap[];
  /** Receive the record of every exchange, in order. @default [] */
  readonly observers?: readonly ExchangeObserver[];
}

/** A raw node:http handler for `/v1/*`. */
export interface ProxyHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** The pipeline's steps in the order they run, as built from the configuration. */
  readonly stepNames: readonly string[];
  /** The response cache, when it is on. */
  readonly cache: ProxyCache | undefined;
}

/**
 * The `/v1` pipeline, built once: route allowlist → token → project guard → provider rules (origin, body,
 * param whitelist) → stream usage (with a usage tap) → cache lookup → circuit breaker → quota → forward. It runs on the raw node:http request, outside
 * Fastify's routing, logging and hooks, because each of those costs measurable time on the hot path; nothing
 * here touches the database except the atomic quota update of tokens that have a `max_requests`, and a cached
 * token is checked without leaving the current tick.
 */
export function createProxyHandler(options: ProxyHandlerOptions): ProxyHandler {
  const cache = options.cache === undefined ? undefined : new ProxyCache(options.cache);
  const { usage, others } = splitTaps(options.taps ?? []);
  const pipeline = buildPipeline(options, cache, usage !== undefined);
  const environment: ExchangeEnvironment = {
    // The key mask comes first, next to the upstream: no tap or client sees an upstream error with the key —
    // and the cache never stores one.
    taps: [
      keyMaskTap,
      ...(cache === undefined ? [] : [cacheCaptureTap]),
      ...(usage === undefined ? [] : [usage]),
      ...others,
    ],
    observers: new ExchangeObservers(options.observers ?? [], options.logger),
    logger: options.logger,
    corsOrigins: new Set(
      [...options.providers.providers.values()].flatMap((provider) => provider.allowedOrigins),
    ),
    errorFormats: new RouteErrorFormats(options.providers),
    cacheBypass: cache === undefined ? undefined : CACHE_NOT_CONSULTED,
  };
  const handleProxyRequest = (req: IncomingMessage, res: ServerResponse): void => {
    pipeline.run(new ProxyExchange(randomUUID(), req, res, environment));
  };
  return Object.assign(handleProxyRequest, { stepNames: pipeline.stepNames, cache });
}

// The step of a capability that is off is not in the pipeline: stepIf never calls it.
function unreachable(): never {
  throw new Error('a step left out of the pipeline was run');
}

/**
 * The usage tap and the other taps. Only one usage tap runs: a second one would find no usage chunk left and
 * estimate what the first one already counted.
 */
function splitTaps(taps: readonly ResponseTap[]): { usage: UsageTap | undefined; others: ResponseTap[] } {
  const usage = taps.find((tap): tap is UsageTap => tap instanceof UsageTap);
  return { usage, others: taps.filter((tap) => !(tap instanceof UsageTap)) };
}

function buildPipeline(
  options: ProxyHandlerOptions,
  cache: ProxyCache | undefined,
  streamUsage: boolean,
): Pipeline<RequestFacts> {
  const allProviders = [...options.providers.providers.values()];
  return PipelineBuilder.start<RequestFacts>()
    .step('route-allowlist', routeAllowlistStep(allProviders))
    .step('token', tokenStep(options.authority))
    .stepIf(options.enforceProjectActive ?? true, 'project-guard', projectGuardStep())
    .step(
      'provider-rules',
      providerRulesStep(
        options.providers,
        options.maxRequestSize,
        options.bodyRate === undefined ? undefined : new BodyRateGuard(options.bodyRate),
      ),
    )
    .stepIf(streamUsage, 'stream-usage', streamUsageStep())
    .stepIf(cache !== undefined, 'cache-lookup', cache === undefined ? unreachable : cacheLookupStep(cache))
    .step('circuit-breaker', circuitBreakerStep(options.breakers))
    .step('quota', quotaStep(options.quota))
    .finish('forward', forwardStep(options.pools), respondWithError);
}
