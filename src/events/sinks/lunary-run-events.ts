import type { ProxyEvent } from '../proxy-event.js';
import type { DecodedBody, DecodedExchange } from '../transform/decoded-exchange.js';
import {
  apiStyle,
  asRecord,
  assistantMessages,
  requestMessages,
  stringField,
} from './lunary-chat-messages.js';

/** Request fields that are the call's parameters (Lunary shows them beside the run and prices by some). */
const PARAM_FIELDS = [
  'temperature',
  'top_p',
  'top_k',
  'max_tokens',
  'max_completion_tokens',
  'max_output_tokens',
  'frequency_penalty',
  'presence_penalty',
  'stop',
  'stop_sequences',
  'seed',
  'n',
  'stream',
  'tools',
  'tool_choice',
  'response_format',
  'reasoning_effort',
  'reasoning',
] as const;

/**
 * One event of Lunary's ingest API (`POST /v1/runs/ingest`), as its docs and its ingest code read it:
 * `start` opens a run, `end` closes it with output and `tokensUsage`, `error` closes it as failed.
 */
export interface LunaryRunEvent {
  readonly type: 'llm';
  readonly event: 'start' | 'end' | 'error';
  readonly runId: string;
  /** ISO 8601; Lunary takes a start's as the run's creation and an end's or error's as its end. */
  readonly timestamp: string;
  readonly name?: string;
  readonly input?: unknown;
  readonly output?: unknown;
  /** The call's parameters; Lunary stores `extra` of a start event as the run's params. */
  readonly extra?: Readonly<Record<string, unknown>>;
  /** Flat values only: Lunary keeps a metadata entry only when it is a string, number or boolean. */
  readonly metadata?: Readonly<Record<string, string | number | boolean>>;
  readonly tokensUsage?: {
    readonly prompt: number;
    readonly completion: number;
    readonly promptCached?: number;
  };
  readonly error?: { readonly message: string };
}

/** The `start` and then the `end` (or `error`) event of one proxy event; both carry the event id as `runId`. */
export function lunaryRunEvents(
  event: ProxyEvent,
  decoded: DecodedExchange,
): [LunaryRunEvent, LunaryRunEvent] {
  const style = apiStyle(event.path);
  const name = event.model ?? event.endpoint ?? event.path;
  const extra = requestParams(decoded.request);
  const start: LunaryRunEvent = {
    type: 'llm',
    event: 'start',
    runId: event.id,
    timestamp: new Date(event.startedAt).toISOString(),
    name,
    input: requestMessages(decoded.request, style) ?? bodyValue(decoded.request),
    ...(extra === null ? {} : { extra }),
    metadata: metadataOf(event),
  };
  const timestamp = new Date(event.endedAt).toISOString();
  if (isFailure(event)) {
    return [
      start,
      {
        type: 'llm',
        event: 'error',
        runId: event.id,
        timestamp,
        error: { message: errorMessage(event, decoded) },
      },
    ];
  }
  const { usage } = event;
  const end: LunaryRunEvent = {
    type: 'llm',
    event: 'end',
    runId: event.id,
    timestamp,
    name,
    output: assistantMessages(decoded.response, decoded.outputText) ?? bodyValue(decoded.response),
    ...(usage === null
      ? {}
      : {
          tokensUsage: {
            prompt: usage.inputTokens,
            completion: usage.outputTokens,
            ...(usage.cachedTokens > 0 ? { promptCached: usage.cachedTokens } : {}),
          },
        }),
  };
  return [start, end];
}

/** An exchange that did not end with a usable answer: an error status, or a refusal, failure or interruption. */
export function isFailure(event: ProxyEvent): boolean {
  return event.status >= 400 || event.outcome !== 'completed';
}

/**
 * Why an exchange failed: the `error.message` (OpenAI, Anthropic) or `message` of the answer, its text, else
 * the status, the outcome and the proxy's own error code.
 */
export function errorMessage(event: ProxyEvent, decoded: DecodedExchange): string {
  const fromBody = bodyErrorMessage(decoded.response);
  if (fromBody !== null) return fromBody;
  const parts = [`HTTP ${event.status}`, event.outcome];
  if (event.errorCode !== null) parts.push(event.errorCode);
  return parts.join(' ');
}

function bodyErrorMessage(body: DecodedBody): string | null {
  if (body.kind === 'text') return body.text.trim() === '' ? null : body.text.slice(0, 1000);
  if (body.kind !== 'json') return null;
  const record = asRecord(body.value);
  const error = record?.error;
  if (typeof error === 'string') return error;
  return stringField(asRecord(error), 'message') ?? stringField(record, 'message');
}

function requestParams(request: DecodedBody): Record<string, unknown> | null {
  const body = request.kind === 'json' ? asRecord(request.value) : null;
  if (body === null) return null;
  const params: Record<string, unknown> = {};
  for (const field of PARAM_FIELDS) if (body[field] !== undefined) params[field] = body[field];
  return Object.keys(params).length === 0 ? null : params;
}

/** A body as Lunary can show it when it holds no chat messages: the JSON, the text or the transformer's note. */
function bodyValue(body: DecodedBody): unknown {
  switch (body.kind) {
    case 'json':
      return body.value;
    case 'text':
      return body.text;
    case 'omitted':
      return body.note;
    case 'none':
      return null;
  }
}

function metadataOf(event: ProxyEvent): Record<string, string | number | boolean> {
  const entries: [string, string | number | boolean | null][] = [
    ['requestId', event.id],
    ['provider', event.provider],
    ['endpoint', event.endpoint],
    ['method', event.method],
    ['path', event.path],
    ['status', event.status],
    ['outcome', event.outcome],
    ['projectId', event.projectId],
    ['tokenId', event.tokenId],
    ['cacheHit', event.cacheHit],
    ['cache', event.cache],
    ['errorCode', event.errorCode],
    ['durationMs', event.durationMs],
    ['upstreamMs', event.upstreamMs],
    ['firstByteMs', event.firstByteMs],
    ['usageEstimated', event.usage?.estimated ?? null],
    ['reasoningTokens', event.usage?.reasoningTokens ?? null],
  ];
  const metadata: Record<string, string | number | boolean> = {};
  for (const [key, value] of entries) if (value !== null) metadata[key] = value;
  return metadata;
}
