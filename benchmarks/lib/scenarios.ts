/** The provider key the fake upstream accepts; the proxies must swap it in for the client's credential. */
export const UPSTREAM_API_KEY = 'sk-bench-upstream-key';

/** The path every measured request goes to. */
export const CHAT_PATH = '/v1/chat/completions';

/** What is being measured: a plain JSON chat completion or a streamed (SSE) one. */
export type ScenarioName = 'json' | 'sse';

/** One kind of request sent to every target (the cache benchmark names its own scenarios). */
export interface Scenario<Name extends string = ScenarioName> {
  readonly name: Name;
  readonly method: 'POST';
  readonly path: string;
  /** The body of every request, or of the first one when {@link Scenario.nextBody} is set. */
  readonly body: string;
  /** Request headers beyond the content type and the target's credential. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Gives each request its own body (a cache miss every time); called once per request. */
  readonly nextBody?: () => string;
}

/** The two measured requests, as an OpenAI SDK would send them. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'json',
    method: 'POST',
    path: CHAT_PATH,
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello to the benchmark.' }],
    }),
  },
  {
    name: 'sse',
    method: 'POST',
    path: CHAT_PATH,
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello to the benchmark.' }],
      stream: true,
    }),
  },
];

/** Where a request is sent: straight to the upstream, through the minimal proxy, or through llm-proxy. */
export type TargetName = 'direct' | 'minimal' | 'llm-proxy';

/**
 * A server requests are sent to, with the credential it expects from clients. The A/B comparison names its
 * llm-proxy builds itself, hence the name's type parameter.
 */
export interface Target<Name extends string = TargetName> {
  readonly name: Name;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly authorization: string;
  /** The process that serves the target (the upstream for `direct`), for CPU accounting. */
  readonly pid: number;
  /** Request headers this target is always sent, over the scenario's (a variant of a process's leg). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The request headers a client sends to a target in a scenario (the body's length is added by the client
 * library).
 */
export function requestHeaders(target: Target<string>, scenario?: Scenario<string>): Record<string, string> {
  return {
    ...scenario?.headers,
    ...target.headers,
    'content-type': 'application/json',
    authorization: target.authorization,
  };
}
