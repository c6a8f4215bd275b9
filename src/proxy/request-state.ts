import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Dispatcher } from 'undici';

import type { ErrorFormat, ProviderConfig } from '../config/index.js';
import type { Logger } from '../core/index.js';
import type { CacheSignal } from '../cache/index.js';
import type { Admission } from '../limits/index.js';
import type { Project, TokenRecord } from '../store/index.js';
import type { CacheLookup } from './cache/cache-lookup.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import type { RequestBody } from './request-body.js';
import type { LocalAnswer } from './taps/local-answer.js';
import type { AnswerSource } from './taps/tap.js';

/** Asked when a client leaves while its request is upstream. */
export interface UpstreamKeeper {
  /** True when other clients still wait for the upstream's answer, so it must not be aborted. */
  clientLeft(): boolean;
}

/**
 * The response cache's bookkeeping of a request (see proxy/cache/): mutable, because the cache learns as the
 * exchange goes — the lookup's result, the signal the client is sent, whether other clients share the answer.
 */
export interface CacheFacts {
  /** Set for a cacheable request that goes upstream: its answer may be stored and shared. */
  cache: CacheLookup | undefined;
  /** The `X-PROXY-CACHE` and `Cache-Status` the client is sent; undefined when the cache is off. */
  cacheSignal: CacheSignal | undefined;
  upstreamKeeper: UpstreamKeeper | undefined;
  /** Headers the forward step adds to the upstream request (the validators of a revalidation). */
  extraUpstreamHeaders: Record<string, string> | undefined;
  /** False once a request was let go by a collapsed flight: it goes upstream on its own. */
  collapseAllowed: boolean;
}

/** What the stream-usage step decided, for the usage tap (see steps/stream-usage-step.ts). */
export interface StreamUsageFacts {
  /**
   * The proxy added `stream_options.include_usage: true` to the body: the usage chunk the upstream sends is the
   * proxy's own and is removed from the client's stream — also when a cache hit replays it.
   */
  streamUsageAdded: boolean;
}

/**
 * What the pipeline knows about a `/v1` request, stage by stage. A step takes one stage and returns the next:
 * the types say which facts exist when, so no step checks again at run time whether an earlier one ran.
 * At run time every stage is the same object (`ProxyExchange`), extended in place by the functions below.
 */
export interface RequestFacts extends CacheFacts, StreamUsageFacts {
  readonly requestId: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  /** Path and query, as sent upstream. */
  readonly url: string;
  /** The path without the query. */
  readonly path: string;
  readonly logger: Logger;
  /** The shape of the proxy's errors on this request's route (OpenAI's or Anthropic's). */
  errorFormat(): ErrorFormat;
  /** Answers the request from the proxy itself, through the response taps; `errorCode` marks a refusal. */
  answerLocally(answer: LocalAnswer, source: AnswerSource, errorCode?: string): void;
  /** Sends an admitted request upstream; the answer comes back through the response taps. */
  dispatchUpstream(dispatcher: Dispatcher, headers: Record<string, string | string[]>, state: Admitted): void;
}

/** After the token step: the token and its project. */
export interface Authenticated extends RequestFacts {
  readonly token: TokenRecord;
  readonly project: Project;
}

/** After the provider rules: the project's provider, the allowlisted endpoint and the checked body. */
export interface Routed extends Authenticated {
  readonly provider: ProviderConfig;
  /** The `allowed_endpoints` entry the path falls under (a bounded metrics label). */
  readonly endpoint: string;
  readonly body: RequestBody;
}

/** A request both of its circuits let through (see provider-breakers.ts). */
export interface BreakerAdmitted extends Routed {
  /** The provider's connect circuit, shared by every project. */
  readonly connectBreaker: CircuitBreaker;
  /** Admitted while the connect circuit was not closed: this request is its one trial. */
  readonly connectTrial: boolean;
  /** The project's own circuit at this provider. */
  readonly projectBreaker: CircuitBreaker;
  /** Admitted while the project's circuit was not closed: this request is its one trial. */
  readonly projectTrial: boolean;
}

/** A request counted against its token's quota: ready to go upstream. */
export interface Admitted extends BreakerAdmitted {
  readonly admission: Admission;
}

/** The writable view of a stage, for the step that produces the next one. */
type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** Records the token step's result. */
export function authenticated(state: RequestFacts, token: TokenRecord, project: Project): Authenticated {
  const next = state as Writable<Authenticated>;
  next.token = token;
  next.project = project;
  return next;
}

/** Records the provider rules' result. */
export function routed(
  state: Authenticated,
  provider: ProviderConfig,
  endpoint: string,
  body: RequestBody,
): Routed {
  const next = state as Writable<Routed>;
  next.provider = provider;
  next.endpoint = endpoint;
  next.body = body;
  return next;
}

/** Records the circuit breakers' admission. */
export function breakerAdmitted(
  state: Routed,
  connectBreaker: CircuitBreaker,
  connectTrial: boolean,
  projectBreaker: CircuitBreaker,
  projectTrial: boolean,
): BreakerAdmitted {
  const next = state as Writable<BreakerAdmitted>;
  next.connectBreaker = connectBreaker;
  next.connectTrial = connectTrial;
  next.projectBreaker = projectBreaker;
  next.projectTrial = projectTrial;
  return next;
}

/** Records the quota's admission. */
export function admitted(state: BreakerAdmitted, admission: Admission): Admitted {
  const next = state as Writable<Admitted>;
  next.admission = admission;
  return next;
}
