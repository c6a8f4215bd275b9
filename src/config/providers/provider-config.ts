/** How the provider expects its API key. */
export interface ProviderAuth {
  /** Request header that carries the key, lower-case (`authorization`, `x-api-key`). */
  readonly header: string;
  /** Prefix before the key (`Bearer`), or empty to send the key alone. */
  readonly scheme: string;
}

/** Upstream timeouts, in milliseconds. There is deliberately no total-time limit: streams may run for hours. */
export interface ProviderTimeouts {
  /** TCP + TLS connection setup. */
  readonly connect: number;
  /** From sending the request to receiving the response headers (time to first token for streams). */
  readonly responseHeader: number;
  /** Longest silence between two chunks of the response body. */
  readonly idleRead: number;
  /** How long an unused keep-alive connection stays open. */
  readonly idleConnection: number;
}

/**
 * The error shape clients of a provider's routes understand: `openai` (`{"error": {message, type, code}}`) or
 * `anthropic` (`{"type": "error", "error": {type, message}}`), so that each provider's SDK raises its own types.
 */
export type ErrorFormat = 'openai' | 'anthropic';

/** One upstream API that projects can be served by. */
export interface ProviderConfig {
  readonly name: string;
  /** Scheme, host and port of the upstream (`https://api.openai.com`). */
  readonly origin: string;
  readonly auth: ProviderAuth;
  /** Path prefixes that may be proxied (`/v1/chat/completions`). */
  readonly allowedEndpoints: readonly string[];
  /** Upper-case HTTP methods that may be proxied. */
  readonly allowedMethods: readonly string[];
  readonly timeouts: ProviderTimeouts;
  /** Most simultaneous upstream connections; undefined means no limit. */
  readonly maxConnections: number | undefined;
  /** JSON body field → glob patterns its value must match. */
  readonly paramWhitelist: Readonly<Record<string, readonly string[]>>;
  /** Whether `paramWhitelist` has any field (then JSON bodies are parsed and checked). */
  readonly hasParamWhitelist: boolean;
  /** Exact Origin values browsers may call from; empty allows any. */
  readonly allowedOrigins: readonly string[];
  /** Whether requests without an Origin header are refused. */
  readonly requireOrigin: boolean;
  /** How the proxy's own errors on this provider's routes are shaped. */
  readonly errorFormat: ErrorFormat;
  /**
   * `request_stream_usage`: on a streamed `/v1/chat/completions` or `/v1/completions` request that does not say
   * `stream_options.include_usage`, the proxy asks the upstream for usage and removes the extra usage chunk from
   * the client's stream. Default true for OpenAI-style providers (`error_format: openai`); turn it off for an
   * OpenAI-compatible upstream that refuses `stream_options`.
   */
  readonly requestStreamUsage: boolean;
}

/** Every provider, and the one projects use unless they name another. */
export interface ProvidersConfig {
  readonly defaultProvider: string;
  readonly providers: ReadonlyMap<string, ProviderConfig>;
  /** Where the definitions came from: a file path, or `built-in providers`. */
  readonly source: string;
}
