import type { TokenUsage } from '../../usage/index.js';
import type { ProxyEvent } from '../proxy-event.js';
import { isBinaryBody } from '../transform/body-notes.js';
import type { DecodedBody, DecodedExchange } from '../transform/decoded-exchange.js';
import { decodeExchange } from '../transform/decode-exchange.js';
import { isRecord } from '../transform/json-values.js';
import { usageFromBody } from '../transform/usage-from-body.js';

const NANOS_PER_MILLI = 1_000_000;

/** Token counts of a file event line, in the original's snake_case (plus what it did not record). */
export interface FileTokenUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
  readonly cached_tokens: number;
  readonly reasoning_tokens: number;
  readonly estimated: boolean;
}

/**
 * One line of the file backend: the original's `--file-event-log` record (spec §8.6, snake_case keys), followed
 * by the fields this gateway adds.
 */
export interface FileEventRecord {
  /** Always 0: the original never assigned it; kept so that its readers still parse the line. */
  readonly log_id: 0;
  readonly request_id: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** Nanoseconds, as the original wrote it. */
  readonly duration: number;
  readonly duration_ms: number;
  readonly response_headers: Readonly<Record<string, string>>;
  /** The decoded request as compact JSON text, or its text or note; null when it had no body. */
  readonly request_body: string | null;
  /** The decoded answer (a stream merged) without its `usage`, or its text or note; null when it had none. */
  readonly response_body: unknown;
  readonly token_usage: FileTokenUsage | null;
  /** Present (true) only when the answer was binary and left out. */
  readonly response_body_binary?: true;
  /** When the request arrived (ISO 8601). */
  readonly timestamp: string;
  readonly project_id: string | null;
  readonly token_id: string | null;
  readonly provider: string | null;
  readonly model: string | null;
  readonly cache_hit: boolean;
  readonly outcome: string;
  readonly error_code: string | null;
}

/**
 * Builds the file backend's line for an event (pure). `usage` comes from the event, else from the answer's own
 * `usage`, which is moved out of `response_body` as the original did.
 */
export function fileEventRecord(
  event: ProxyEvent,
  decoded: DecodedExchange = decodeExchange(event),
): FileEventRecord {
  const answer = decoded.response.kind === 'json' ? decoded.response.value : undefined;
  const usage = event.usage ?? usageFromBody(answer);
  return {
    log_id: 0,
    request_id: event.id,
    method: event.method,
    path: event.path,
    status: event.status,
    duration: Math.round(event.durationMs * NANOS_PER_MILLI),
    duration_ms: event.durationMs,
    response_headers: withoutSetCookie(event.responseHeaders),
    request_body: requestBodyText(decoded.request),
    response_body: responseBodyValue(decoded.response),
    token_usage: usage === null ? null : fileTokenUsage(usage),
    ...(isBinaryBody(decoded.response) ? { response_body_binary: true as const } : {}),
    timestamp: new Date(event.startedAt).toISOString(),
    project_id: event.projectId,
    token_id: event.tokenId,
    provider: event.provider,
    model: event.model,
    cache_hit: event.cacheHit,
    outcome: event.outcome,
    error_code: event.errorCode,
  };
}

function requestBodyText(body: DecodedBody): string | null {
  switch (body.kind) {
    case 'json':
      return JSON.stringify(body.value);
    case 'text':
      return body.text;
    case 'omitted':
      return body.note;
    case 'none':
      return null;
  }
}

function responseBodyValue(body: DecodedBody): unknown {
  switch (body.kind) {
    case 'json': {
      if (!isRecord(body.value) || !('usage' in body.value)) return body.value;
      const rest = { ...body.value };
      delete rest.usage;
      return rest;
    }
    case 'text':
      return body.text;
    case 'omitted':
      return body.note;
    case 'none':
      return null;
  }
}

function fileTokenUsage(usage: TokenUsage): FileTokenUsage {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    cached_tokens: usage.cachedTokens,
    reasoning_tokens: usage.reasoningTokens,
    estimated: usage.estimated,
  };
}

// The event already leaves Set-Cookie out; the file keeps that promise even for events built elsewhere.
function withoutSetCookie(headers: Readonly<Record<string, string>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (name.toLowerCase() !== 'set-cookie') kept[name] = value;
  return kept;
}
