/** A body decoded for a backend. */
export type DecodedBody =
  /** JSON (a merged stream becomes the one completion object it adds up to). */
  | { readonly kind: 'json'; readonly value: unknown }
  /** Other UTF-8 text. */
  | { readonly kind: 'text'; readonly text: string }
  /** Binary, multipart, undecodable or not captured: a short note says what it was (`<binary response omitted>`). */
  | { readonly kind: 'omitted'; readonly note: string }
  /** The message had no body. */
  | { readonly kind: 'none' };

/** The request and the response of one event, decoded (decompressed, streams merged, secrets redacted). */
export interface DecodedExchange {
  readonly request: DecodedBody;
  readonly response: DecodedBody;
  /** The answer was a stream (SSE). */
  readonly streamed: boolean;
  /** The completion's text when it could be found (chat, Responses API, Anthropic messages). */
  readonly outputText: string | null;
  /** `finish_reason` / `stop_reason` / `status` values found in the answer, in order. */
  readonly finishReasons: readonly string[];
}
