import { CACHE_HEADER, CACHE_OPT_IN, HIT_VALUE, MISS_VALUES } from './cache-scenarios.js';
import type { UniqueBodies } from './cache-scenarios.js';
import type { CacheTargetName } from './cache-targets.js';
import { fetchText } from './manage-api.js';
import type { TextResponse } from './manage-api.js';
import { CHAT_PATH, requestHeaders } from './scenarios.js';
import type { Target } from './scenarios.js';

/** How often, and how far apart, a repeated request is sent until it is a hit: a store may finish after the answer. */
const HIT_ATTEMPTS = 20;
const HIT_RETRY_MS = 50;

/** The cache headers of the first and the second identical request to one target, for the report. */
export interface ObservedCacheHeaders {
  readonly first: Readonly<Record<string, string>>;
  readonly second: Readonly<Record<string, string>>;
  /** How many repetitions it took until the second answer was a hit (1: the first repetition). */
  readonly attempts: number;
}

/** Thrown when llm-proxy relays but does not cache: no measurement of the cache can be made. */
export class CacheNotServingError extends Error {
  override readonly name = 'CacheNotServingError';
}

const REPORTED_HEADERS = [CACHE_HEADER, 'cache-status', 'age', 'x-request-id'];

/**
 * Checks, before anything is measured, that each cache-on target stores and serves what it should: an opted-in
 * request it has not seen answers `miss` or `stored` with the upstream's bytes, the same request again answers
 * `hit` with the same bytes. A cache-off target must never answer `hit`. Throws {@link CacheNotServingError}
 * otherwise, so that the run exits 2 instead of reporting the cost of a cache that does not work.
 */
export async function assertCacheServes(
  direct: Target<CacheTargetName>,
  cacheOn: readonly Target<CacheTargetName>[],
  cacheOff: readonly Target<CacheTargetName>[],
  bodies: UniqueBodies,
): Promise<Partial<Record<CacheTargetName, ObservedCacheHeaders>>> {
  const observed: Partial<Record<CacheTargetName, ObservedCacheHeaders>> = {};
  for (const target of [...cacheOn, ...cacheOff]) {
    const body = bodies.next();
    const expected = await send(direct, body);
    if (expected.status !== 200) {
      throw new Error(
        `the upstream answered an opted-in request with HTTP ${expected.status}: ${expected.body}`,
      );
    }
    const first = await send(target, body);
    assertRelayed(target, first, expected, 'first');
    const firstValue = headerValue(first, CACHE_HEADER);
    const caches = cacheOn.includes(target);
    if (caches && (firstValue === undefined || !MISS_VALUES.includes(firstValue))) {
      throw new CacheNotServingError(
        `llm-proxy ${target.name} does not cache: an opted-in request it had not seen answered ` +
          `${describe(firstValue)} instead of ${MISS_VALUES.join(' or ')} — is the proxy side of the response ` +
          'cache (lookup step, capture tap) in this build?',
      );
    }
    let second = await send(target, body);
    let attempts = 1;
    while (caches && headerValue(second, CACHE_HEADER) !== HIT_VALUE && attempts < HIT_ATTEMPTS) {
      await new Promise((resolve) => setTimeout(resolve, HIT_RETRY_MS));
      second = await send(target, body);
      attempts++;
    }
    assertRelayed(target, second, expected, 'repeated');
    const secondValue = headerValue(second, CACHE_HEADER);
    if (caches && secondValue !== HIT_VALUE) {
      throw new CacheNotServingError(
        `llm-proxy ${target.name} does not cache: the same opted-in request, repeated ${attempts} times over ` +
          `${(attempts - 1) * HIT_RETRY_MS} ms, answered ${describe(secondValue)} instead of ${HIT_VALUE}`,
      );
    }
    if (!caches && secondValue === HIT_VALUE) {
      throw new Error(
        `llm-proxy ${target.name} runs with HTTP_CACHE_ENABLED=false but answered a repeat from the cache`,
      );
    }
    observed[target.name] = { first: reported(first), second: reported(second), attempts };
  }
  return observed;
}

/**
 * Sends a scenario's request to a cache-on target until it answers `hit`, so that the first measured request
 * of a hit leg already finds the entry. Throws {@link CacheNotServingError} when it never does.
 */
export async function primeEntry(target: Target<CacheTargetName>, body: string): Promise<void> {
  for (let attempt = 1; attempt <= HIT_ATTEMPTS; attempt++) {
    const response = await send(target, body);
    if (response.status !== 200) {
      throw new Error(`llm-proxy ${target.name} answered the hit request with HTTP ${response.status}`);
    }
    if (headerValue(response, CACHE_HEADER) === HIT_VALUE) return;
    await new Promise((resolve) => setTimeout(resolve, HIT_RETRY_MS));
  }
  throw new CacheNotServingError(`llm-proxy ${target.name} never answered the hit request from the cache`);
}

function send(target: Target<CacheTargetName>, body: string): Promise<TextResponse> {
  return fetchText(`${target.origin}${CHAT_PATH}`, {
    method: 'POST',
    headers: requestHeaders(target, {
      name: 'sanity',
      method: 'POST',
      path: CHAT_PATH,
      body,
      headers: CACHE_OPT_IN,
    }),
    body,
  });
}

function assertRelayed(
  target: Target<CacheTargetName>,
  actual: TextResponse,
  expected: TextResponse,
  which: string,
): void {
  if (actual.status === 200 && actual.body === expected.body) return;
  throw new Error(
    `llm-proxy ${target.name} did not answer the ${which} opted-in request with the upstream's bytes: ` +
      `HTTP ${actual.status} (${describe(headerValue(actual, CACHE_HEADER))}) ${actual.body.slice(0, 300)}`,
  );
}

function headerValue(response: TextResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function describe(value: string | undefined): string {
  return value === undefined
    ? `no ${CACHE_HEADER.toUpperCase()} header`
    : `${CACHE_HEADER.toUpperCase()}: ${value}`;
}

function reported(response: TextResponse): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of REPORTED_HEADERS) {
    const value = headerValue(response, name);
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}
