import { randomBytes } from 'node:crypto';

import { CHAT_PATH } from './scenarios.js';
import type { Scenario } from './scenarios.js';

/** The two kinds of request of the cache benchmark: the same answer every time, or a new one every time. */
export type CacheScenarioName = 'hit' | 'miss';

/**
 * How a client opts a POST into the cache without any setting on the project (RFC 9111 §5.2.2: `public` plus a
 * lifetime); the upstream's answer carries no `Cache-Control`, so without this nothing would be stored.
 */
export const CACHE_OPT_IN: Readonly<Record<string, string>> = { 'cache-control': 'public, max-age=600' };

/** The response header that says how llm-proxy produced an answer (`hit`, `miss`, `stored` …). */
export const CACHE_HEADER = 'x-proxy-cache';

/** What a cache that works answers to the first request of a body, and to the same request again. */
export const MISS_VALUES: readonly string[] = ['miss', 'stored'];
export const HIT_VALUE = 'hit';
/** What it answers to a request it looked up and missed whose answer it did not keep. */
export const UNCAPTURED_VALUE = 'miss';

/** The hit scenario: one opted-in chat completion, byte for byte the same every time. */
export const HIT_SCENARIO: Scenario<'hit'> = {
  name: 'hit',
  method: 'POST',
  path: CHAT_PATH,
  body: chatBody('Say hello to the benchmark.'),
  headers: CACHE_OPT_IN,
};

/** Bodies that no earlier request of this run (or of any other run) has sent: each one a cache miss. */
export interface UniqueBodies {
  /** The next body. */
  readonly next: () => string;
  /** How many were handed out. */
  readonly count: number;
}

/**
 * Unique chat-completion bodies: a random run id and a counter in the message, so that every request of the run
 * misses the cache (and a Redis left over from another run holds none of them).
 */
export function uniqueBodies(): UniqueBodies {
  const runId = randomBytes(6).toString('hex');
  let count = 0;
  // Concatenation, not JSON.stringify per request: the load generator shares the 2 cores with the proxy.
  const head = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello to the benchmark (${runId}-`;
  const tail = ')."}]}';
  return {
    next: () => `${head}${count++}${tail}`,
    get count() {
      return count;
    },
  };
}

/** The miss scenario: the same opted-in request as {@link HIT_SCENARIO}, with a body of its own every time. */
export function missScenario(bodies: UniqueBodies): Scenario<'miss'> {
  return {
    name: 'miss',
    method: 'POST',
    path: CHAT_PATH,
    body: bodies.next(),
    headers: CACHE_OPT_IN,
    nextBody: bodies.next,
  };
}

function chatBody(content: string): string {
  return JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });
}
