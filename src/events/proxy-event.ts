import type { TokenUsage } from '../usage/index.js';

/**
 * A captured body: its first bytes, up to the configured cap, as the client sent or received them (still
 * compressed when they were; SSE text for a stream). The transformer (./transform/) decodes it.
 */
export interface EventBody {
  /** `utf8` when the captured bytes are valid UTF-8 text, else `base64`. */
  readonly encoding: 'utf8' | 'base64';
  readonly data: string;
  /** Bytes of the whole body (what was sent or received), not only of what was captured. */
  readonly size: number;
  /** Only the first bytes were kept (the body was larger than the cap). */
  readonly truncated: boolean;
  readonly contentType: string | null;
  readonly contentEncoding: string | null;
}

/** A body the proxy did not capture, and why (`streamed`: an upload relayed without being read). */
export interface OmittedBody {
  readonly omitted: 'streamed' | 'disabled';
  readonly size: number;
  readonly contentType: string | null;
}

/**
 * One finished `/v1` exchange as it travels the event bus and reaches the dispatcher's backends. It carries
 * ids, never secrets: the token's id (not the token), no credential or secret header.
 */
export interface ProxyEvent {
  /** The request id; stable across redeliveries, so receivers can deduplicate on it. */
  readonly id: string;
  /** When the request arrived, epoch milliseconds. */
  readonly startedAt: number;
  /** When the response ended (or the client left), epoch milliseconds. */
  readonly endedAt: number;
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  readonly projectId: string | null;
  readonly tokenId: string | null;
  readonly provider: string | null;
  readonly endpoint: string | null;
  readonly model: string | null;
  /** Status the client received (499 when it left before any answer). */
  readonly status: number;
  /** `completed`, `refused`, `upstream_failed`, `interrupted` or `client_gone` (see the proxy's exchange record). */
  readonly outcome: string;
  /** Who answered: `upstream`, `proxy` (its own error or preflight) or `cache`; null when nobody did. */
  readonly source: 'upstream' | 'proxy' | 'cache' | null;
  /** The answer came from the response cache. */
  readonly cacheHit: boolean;
  /** What the response cache did (`X-PROXY-CACHE`: HIT, MISS, BYPASS …); null when the cache is off. */
  readonly cache: string | null;
  /** The proxy's own error code when it refused or failed the request. */
  readonly errorCode: string | null;
  readonly durationMs: number;
  /** Upstream time to response headers; null when it sent none. */
  readonly upstreamMs: number | null;
  /** Time to the first body byte sent to the client; null when none was sent. */
  readonly firstByteMs: number | null;
  /** The request's headers that are safe to keep (credentials and secret headers removed). */
  readonly requestHeaders: Readonly<Record<string, string>>;
  /** The response's headers as the client received them (Set-Cookie removed). */
  readonly responseHeaders: Readonly<Record<string, string>>;
  /** Null when the request had no body. */
  readonly requestBody: EventBody | OmittedBody | null;
  /** Null when the response had no body. */
  readonly responseBody: EventBody | OmittedBody | null;
  /** Tokens used; null when the exchange used none (a refusal) or they could not be known. */
  readonly usage: TokenUsage | null;
}

/** Whether a body was captured (rather than omitted). */
export function isCapturedBody(body: EventBody | OmittedBody | null): body is EventBody {
  return body !== null && 'data' in body;
}
