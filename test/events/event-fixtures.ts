import { isUtf8 } from 'node:buffer';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

import type { EventBody, OmittedBody, ProxyEvent } from '../../src/events/index.js';

/** What a body fixture may set besides its bytes. */
export interface BodyOptions {
  /** @default 'application/json' */
  readonly contentType?: string | null;
  /** Size of the whole body when only part of it was captured. @default the captured length */
  readonly size?: number;
  /** @default false unless `size` is larger than what was captured */
  readonly truncated?: boolean;
}

/** Request start of the default event: 2025-01-02T03:04:05.678Z. */
export const STARTED_AT = Date.UTC(2025, 0, 2, 3, 4, 5, 678);

/** The chat completions request of the default event. */
export const CHAT_REQUEST = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Say hello.' },
  ],
  temperature: 0.2,
};

/** The non-streamed answer of the default event. */
export const CHAT_RESPONSE = {
  id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
  object: 'chat.completion',
  created: 1741569952,
  model: 'gpt-4o-mini-2024-07-18',
  system_fingerprint: 'fp_06737a9306',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Hello!', refusal: null },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: {
    prompt_tokens: 19,
    completion_tokens: 3,
    total_tokens: 22,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  },
};

/**
 * A realistic event: a completed, non-streamed chat completion through OpenAI, 420 ms long, with JSON bodies
 * and usage. Any field can be overridden.
 */
export function proxyEvent(overrides: Partial<ProxyEvent> = {}): ProxyEvent {
  const durationMs = overrides.durationMs ?? 420;
  return {
    id: '01943d1a-7c2e-7b1a-9f3e-5a6b7c8d9e0f',
    startedAt: STARTED_AT,
    endedAt: STARTED_AT + durationMs,
    method: 'POST',
    path: '/v1/chat/completions',
    projectId: '0194a3b2-1111-7000-8000-000000000001',
    tokenId: '0194a3b2-2222-7000-8000-000000000002',
    provider: 'openai',
    endpoint: 'chat/completions',
    model: 'gpt-4o-mini',
    status: 200,
    outcome: 'completed',
    source: 'upstream',
    cacheHit: false,
    cache: null,
    errorCode: null,
    durationMs,
    upstreamMs: 380,
    firstByteMs: 395,
    requestHeaders: { 'content-type': 'application/json', 'user-agent': 'OpenAI/JS 4.77.0' },
    responseHeaders: { 'content-type': 'application/json', 'x-request-id': 'req_7f3a' },
    requestBody: jsonBody(CHAT_REQUEST),
    responseBody: jsonBody(CHAT_RESPONSE),
    usage: { inputTokens: 19, outputTokens: 3, cachedTokens: 0, reasoningTokens: 0, estimated: false },
    ...overrides,
  };
}

/** A captured body of raw bytes: `utf8` when they are UTF-8 text and not compressed, else `base64`. */
export function bytesBody(
  bytes: Buffer,
  options: BodyOptions & { readonly contentEncoding?: string | null } = {},
): EventBody {
  const contentEncoding = options.contentEncoding ?? null;
  const text = contentEncoding === null && isUtf8(bytes);
  const size = options.size ?? bytes.length;
  return {
    encoding: text ? 'utf8' : 'base64',
    data: bytes.toString(text ? 'utf8' : 'base64'),
    size,
    truncated: options.truncated ?? size > bytes.length,
    contentType: options.contentType === undefined ? 'application/json' : options.contentType,
    contentEncoding,
  };
}

/** A captured UTF-8 text body. */
export function textBody(text: string, options: BodyOptions = {}): EventBody {
  return bytesBody(Buffer.from(text, 'utf8'), { contentType: 'text/plain; charset=utf-8', ...options });
}

/** A captured JSON body. */
export function jsonBody(value: unknown, options: BodyOptions = {}): EventBody {
  return bytesBody(Buffer.from(JSON.stringify(value), 'utf8'), options);
}

/** A captured event-stream body. */
export function sseBody(text: string, options: BodyOptions = {}): EventBody {
  return textBody(text, { contentType: 'text/event-stream; charset=utf-8', ...options });
}

/** A body as it travelled with `Content-Encoding: gzip`. */
export function gzipBody(content: string | Buffer, options: BodyOptions = {}): EventBody {
  return bytesBody(gzipSync(content), { ...options, contentEncoding: 'gzip' });
}

/** A body as it travelled with `Content-Encoding: br`. */
export function brotliBody(content: string | Buffer, options: BodyOptions = {}): EventBody {
  return bytesBody(brotliCompressSync(content), { ...options, contentEncoding: 'br' });
}

/** A body as it travelled with `Content-Encoding: deflate` (zlib format). */
export function deflateBody(content: string | Buffer, options: BodyOptions = {}): EventBody {
  return bytesBody(deflateSync(content), { ...options, contentEncoding: 'deflate' });
}

/** The body as the capture cap would have kept it: its first `keep` bytes, marked truncated. */
export function truncateBody(body: EventBody, keep: number): EventBody {
  const bytes = Buffer.from(body.data, body.encoding).subarray(0, keep);
  return {
    ...body,
    encoding: body.encoding === 'utf8' && isUtf8(bytes) ? 'utf8' : 'base64',
    data: bytes.toString(body.encoding === 'utf8' && isUtf8(bytes) ? 'utf8' : 'base64'),
    truncated: true,
  };
}

/** A body the proxy did not capture. */
export function omittedBody(
  omitted: OmittedBody['omitted'],
  options: { readonly size?: number; readonly contentType?: string | null } = {},
): OmittedBody {
  return { omitted, size: options.size ?? 2048, contentType: options.contentType ?? 'application/json' };
}

/** Options of {@link sseText}. */
export interface SseTextOptions {
  /** Writes an `event:` line with each payload's `type`, as Anthropic and the Responses API do. */
  readonly named?: boolean;
  /** Ends with OpenAI's `data: [DONE]`. */
  readonly done?: boolean;
}

/** An event stream carrying each payload as the JSON data of one event. */
export function sseText(payloads: readonly unknown[], options: SseTextOptions = {}): string {
  const events = payloads.map((payload) => {
    const type = (payload as { type?: unknown }).type;
    const name = options.named === true && typeof type === 'string' ? `event: ${type}\n` : '';
    return `${name}data: ${JSON.stringify(payload)}\n\n`;
  });
  return events.join('') + (options.done === true ? 'data: [DONE]\n\n' : '');
}

/** The chunks of a streamed chat completion saying `pieces`, ending with `finish_reason: stop` and a usage chunk. */
export function openAiChatChunks(pieces: readonly string[] = ['Hel', 'lo', '!']): unknown[] {
  const chunk = (choices: unknown[], usage: unknown = null): unknown => ({
    id: 'chatcmpl-stream1',
    object: 'chat.completion.chunk',
    created: 1741569952,
    model: 'gpt-4o-mini-2024-07-18',
    system_fingerprint: 'fp_06737a9306',
    choices,
    usage,
  });
  return [
    chunk([
      {
        index: 0,
        delta: { role: 'assistant', content: '', refusal: null },
        logprobs: null,
        finish_reason: null,
      },
    ]),
    ...pieces.map((content) =>
      chunk([{ index: 0, delta: { content }, logprobs: null, finish_reason: null }]),
    ),
    chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]),
    chunk([], {
      prompt_tokens: 19,
      completion_tokens: 3,
      total_tokens: 22,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    }),
  ];
}

/** The final response object of {@link responsesEvents}. */
export function responsesFinal(text: string): Record<string, unknown> {
  return {
    id: 'resp_67ccd2bed1ec8190',
    object: 'response',
    created_at: 1741476542,
    status: 'completed',
    model: 'gpt-4.1-2025-04-14',
    output: [
      {
        id: 'msg_67ccd2bf17f0',
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text, annotations: [] }],
      },
    ],
    usage: {
      input_tokens: 36,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 87,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 123,
    },
  };
}

/** The events of a Responses API stream saying `pieces`, ending with `response.completed`. */
export function responsesEvents(pieces: readonly string[] = ['Hi', ' there']): unknown[] {
  const text = pieces.join('');
  const final = responsesFinal(text);
  const started = { ...final, status: 'in_progress', output: [], usage: null };
  const item = {
    id: 'msg_67ccd2bf17f0',
    type: 'message',
    status: 'in_progress',
    role: 'assistant',
    content: [],
  };
  const part = { type: 'output_text', text: '', annotations: [] };
  const where = { item_id: item.id, output_index: 0, content_index: 0 };
  return [
    { type: 'response.created', sequence_number: 0, response: started },
    { type: 'response.in_progress', sequence_number: 1, response: started },
    { type: 'response.output_item.added', output_index: 0, item },
    { type: 'response.content_part.added', ...where, part },
    ...pieces.map((delta) => ({ type: 'response.output_text.delta', ...where, delta })),
    { type: 'response.output_text.done', ...where, text },
    { type: 'response.content_part.done', ...where, part: { ...part, text } },
    { type: 'response.output_item.done', output_index: 0, item: (final.output as unknown[])[0] },
    { type: 'response.completed', response: final },
  ];
}

/** The events of an Anthropic messages stream saying `pieces`, with usage in message_start and message_delta. */
export function anthropicEvents(pieces: readonly string[] = ['Hello', ' world']): unknown[] {
  return [
    {
      type: 'message_start',
      message: {
        id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-20250514',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: 25,
          cache_read_input_tokens: 0,
          cache_creation_input_tokens: 0,
          output_tokens: 1,
        },
      },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'ping' },
    ...pieces.map((text) => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })),
    { type: 'content_block_stop', index: 0 },
    {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 15 },
    },
    { type: 'message_stop' },
  ];
}
