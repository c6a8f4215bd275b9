import type { ServerResponse } from 'node:http';

import { usageTap } from '../../src/proxy/taps/usage-tap.js';
import type { ExchangeRecord } from '../../src/proxy/index.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway, TestGatewayOptions } from '../helpers/gateway-harness.js';
import type { RecordedRequest, UpstreamScript } from '../helpers/fake-upstream.js';
import { sleep } from '../helpers/network.js';
import { openRawClient, requestHead } from '../helpers/raw-client.js';
import { SSE_DONE, SSE_HEADERS, sseEvent } from '../helpers/sse.js';

/** A gateway with the usage tap, and the records of its exchanges. */
export interface UsageGateway {
  readonly gateway: TestGateway;
  readonly records: ExchangeRecord[];
  /** The record of the exchange with the `x-request-id` the client received, once it is finished. */
  recordOf(requestId: string | null): Promise<ExchangeRecord>;
}

/** Starts the test gateway with the usage tap (and so the stream-usage step) and an observer that keeps records. */
export async function startUsageGateway(options: TestGatewayOptions = {}): Promise<UsageGateway> {
  const records: ExchangeRecord[] = [];
  const gateway = await startTestGateway({
    ...options,
    taps: [usageTap(), ...(options.taps ?? [])],
    observers: [{ name: 'usage-records', exchangeFinished: (record) => records.push(record) }],
  });
  return {
    gateway,
    records,
    async recordOf(requestId) {
      if (requestId === null) throw new Error('the answer had no x-request-id');
      for (let waited = 0; waited < 5000; waited += 10) {
        const record = records.find((one) => one.requestId === requestId);
        if (record !== undefined) return record;
        await sleep(10);
      }
      throw new Error(`no record of ${requestId}`);
    },
  };
}

/** The usage an upstream reports, in OpenAI's chat shape, and as the proxy records it. */
export const OPENAI_REPORTED = {
  prompt_tokens: 1500,
  completion_tokens: 320,
  total_tokens: 1820,
  prompt_tokens_details: { cached_tokens: 1280, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 192, audio_tokens: 0 },
};
export const OPENAI_RECORDED = {
  inputTokens: 1500,
  outputTokens: 320,
  cachedTokens: 1280,
  reasoningTokens: 192,
  estimated: false,
};

/** The words the fake chat stream is made of. */
export const STREAM_WORDS = ['Usage', ' is', ' counted', '.'];

/** A chat stream as OpenAI sends it, and what the fake upstream sent of it per request. */
export interface ChatStreamUpstream {
  readonly script: UpstreamScript;
  /** The bytes the upstream wrote, per request, in order. */
  readonly sent: string[];
}

/**
 * Answers streamed chat requests as OpenAI does: content chunks, the stop chunk and — only when the request
 * asked with `stream_options.include_usage` — `"usage": null` in each chunk and the usage chunk before
 * `[DONE]`. Non-streamed requests get a JSON completion with the same usage.
 */
export function chatStreamUpstream(): ChatStreamUpstream {
  const sent: string[] = [];
  const script: UpstreamScript = (request, res) => {
    const body = JSON.parse(request.body.toString()) as {
      stream?: boolean;
      stream_options?: { include_usage?: boolean };
    };
    if (body.stream !== true) {
      writeJson(res, { ...completion(), usage: OPENAI_REPORTED });
      return;
    }
    const withUsage = body.stream_options?.include_usage === true;
    const extra = withUsage ? { usage: null } : {};
    let text = '';
    for (const [index, word] of STREAM_WORDS.entries()) {
      const delta = index === 0 ? { role: 'assistant', content: word } : { content: word };
      text += sseEvent({ ...chunkHead(), choices: [{ index: 0, delta, finish_reason: null }], ...extra });
    }
    text += sseEvent({ ...chunkHead(), choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], ...extra });
    if (withUsage) text += usageChunk();
    text += SSE_DONE;
    sent.push(text);
    res.writeHead(200, SSE_HEADERS);
    // In two writes, cut inside an event: the proxy must hold back only what is partial.
    const cut = Math.floor(text.length / 2);
    res.write(text.slice(0, cut));
    setTimeout(() => res.end(text.slice(cut)), 5);
  };
  return { script, sent };
}

/**
 * The stream an upstream sent for a request the proxy added `include_usage` to, as it would have been without
 * the option: no usage chunk, and no `"usage":null` in the other chunks.
 */
export function asIfUsageNotAsked(sent: string): string {
  return sent.replace(usageChunk(), '').replaceAll(',"usage":null', '');
}

/** OpenAI's usage-only chunk. */
export function usageChunk(): string {
  return sseEvent({ ...chunkHead(), choices: [], usage: OPENAI_REPORTED });
}

/** A chat completion answer without usage. */
export function completion(): Record<string, unknown> {
  return {
    id: 'chatcmpl-usage',
    object: 'chat.completion',
    created: 1700000000,
    model: 'gpt-4o-mini',
    choices: [
      { index: 0, message: { role: 'assistant', content: 'Usage is counted.' }, finish_reason: 'stop' },
    ],
  };
}

/** Writes a JSON answer. */
export function writeJson(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The body an upstream request carried, parsed. */
export function sentBody(request: RecordedRequest | undefined): Record<string, unknown> {
  if (request === undefined) throw new Error('the upstream received no request');
  return JSON.parse(request.body.toString()) as Record<string, unknown>;
}

/** What a raw socket client received: the status, headers and the body with chunked coding undone. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: string;
  readonly body: string;
  readonly requestId: string | null;
}

/** Sends a JSON POST on a plain TCP socket and reads the whole answer (the connection closes after it). */
export async function rawPost(
  url: string,
  path: string,
  token: string,
  body: string,
  headers: Readonly<Record<string, string>> = {},
): Promise<RawAnswer> {
  const client = await openRawClient(url);
  client.write(
    requestHead('POST', path, {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
      ...headers,
    }) + body,
  );
  const text = await client.closed;
  const headEnd = text.indexOf('\r\n\r\n');
  const head = text.slice(0, headEnd).toLowerCase();
  const rest = text.slice(headEnd + 4);
  return {
    status: Number(/^http\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
    headers: head,
    body: head.includes('transfer-encoding: chunked') ? unchunk(rest) : rest,
    requestId: /\r\nx-request-id: ([^\r]+)/.exec(head)?.[1] ?? null,
  };
}

function unchunk(text: string): string {
  let body = '';
  let at = 0;
  for (;;) {
    const lineEnd = text.indexOf('\r\n', at);
    const size = Number.parseInt(text.slice(at, lineEnd), 16);
    if (!(size > 0)) return body;
    // The test streams are ASCII: characters are bytes.
    body += text.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}

function chunkHead(): Record<string, unknown> {
  return { id: 'chatcmpl-usage', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o-mini' };
}
