import type { RequestListener, ServerResponse } from 'node:http';

/** How the fake OpenAI upstream answers. */
export interface FakeOpenAiOptions {
  /** The only `Authorization: Bearer …` key accepted; anything else gets a 401. */
  readonly apiKey: string;
  /** Number of `data:` chunks in a streamed completion, before `data: [DONE]`. @default 5 */
  readonly sseChunks?: number;
  /** Pause between SSE chunks in ms; 0 writes them back-to-back. @default 0 */
  readonly sseDelayMs?: number;
}

const COMPLETION = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench0000000000000000000000',
    object: 'chat.completion',
    created: 1700000000,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: 'Hello, benchmark! This answer is fixed so every run relays the same bytes.',
          refusal: null,
        },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 14, completion_tokens: 17, total_tokens: 31 },
    system_fingerprint: 'fp_bench',
  }),
);
const MODELS = Buffer.from(
  JSON.stringify({
    object: 'list',
    data: [
      { id: 'gpt-4o-mini', object: 'model', created: 1700000000, owned_by: 'system' },
      { id: 'gpt-4o', object: 'model', created: 1700000000, owned_by: 'system' },
    ],
  }),
);
const UNAUTHORIZED = errorBody('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
const NOT_FOUND = errorBody('Unknown endpoint.', 'invalid_request_error', 'unknown_url');
const BAD_JSON = errorBody(
  'We could not parse the JSON body of your request.',
  'invalid_request_error',
  null,
);
const DONE = Buffer.from('data: [DONE]\n\n');
const JSON_HEADERS = { 'content-type': 'application/json' };
const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

/**
 * A request header whose value the fake answers a chat completion with as its `Cache-Control`: how a benchmark
 * makes a proxy's cache look up a request and then find the answer not storable.
 */
export const FAKE_CACHE_CONTROL = 'x-fake-cache-control';

/**
 * A fast fake of the OpenAI API for load tests: every answer is prepared once, so the upstream costs as little
 * CPU as possible and the proxies' own cost dominates what is measured.
 */
export function createFakeOpenAi(options: FakeOpenAiOptions): RequestListener {
  const expectedAuthorization = `Bearer ${options.apiKey}`;
  const sseChunks = streamChunks(options.sseChunks ?? 5, false);
  const sseChunksWithUsage = streamChunks(options.sseChunks ?? 5, true);
  const sseDelayMs = options.sseDelayMs ?? 0;

  return function fakeOpenAi(req, res) {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.headers.authorization !== expectedAuthorization) {
        send(res, 401, UNAUTHORIZED);
        return;
      }
      const path = (req.url ?? '/').split('?', 1)[0];
      if (req.method === 'GET' && path === '/v1/models') {
        send(res, 200, MODELS);
      } else if (req.method === 'POST' && path === '/v1/chat/completions') {
        const streaming = wantsStream(Buffer.concat(chunks));
        if (streaming === undefined) send(res, 400, BAD_JSON);
        else if (streaming === 'with-usage') void sendStream(res, sseChunksWithUsage, sseDelayMs);
        else if (streaming === 'stream') void sendStream(res, sseChunks, sseDelayMs);
        else send(res, 200, COMPLETION, req.headers[FAKE_CACHE_CONTROL]);
      } else {
        send(res, 404, NOT_FOUND);
      }
    });
  };
}

/**
 * What the JSON body asks for: a stream, a stream with its usage (`stream_options.include_usage`, as llm-proxy
 * asks), or one answer; `undefined` when it is not JSON.
 */
function wantsStream(body: Buffer): 'stream' | 'with-usage' | 'whole' | undefined {
  let parsed: { stream?: unknown; stream_options?: { include_usage?: unknown } | null } | null;
  try {
    parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || parsed.stream !== true) return 'whole';
  return parsed.stream_options?.include_usage === true ? 'with-usage' : 'stream';
}

function send(res: ServerResponse, status: number, body: Buffer, cacheControl?: string | string[]): void {
  res.writeHead(status, {
    ...JSON_HEADERS,
    'content-length': body.length,
    ...(typeof cacheControl === 'string' && { 'cache-control': cacheControl }),
  });
  res.end(body);
}

async function sendStream(res: ServerResponse, chunks: readonly Buffer[], delayMs: number): Promise<void> {
  res.writeHead(200, SSE_HEADERS);
  for (const chunk of chunks) {
    if (res.destroyed) return;
    res.write(chunk);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  if (!res.destroyed) res.end(DONE);
}

/**
 * Chat-completion chunk events as OpenAI streams them: a role, some content, then a finish reason — and, when
 * usage was asked for, `"usage":null` in each and a usage-only chunk at the end.
 */
function streamChunks(count: number, withUsage: boolean): Buffer[] {
  const words = ['Hello', ',', ' bench', 'mark', '!'];
  const events = Array.from({ length: count }, (_, index) => {
    const last = index === count - 1;
    const delta = last
      ? {}
      : index === 0
        ? { role: 'assistant', content: '' }
        : { content: words[index % 5] };
    const event = {
      id: 'chatcmpl-bench0000000000000000000000',
      object: 'chat.completion.chunk',
      created: 1700000000,
      model: 'gpt-4o-mini-2024-07-18',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: last ? 'stop' : null }],
      ...(withUsage && { usage: null }),
    };
    return Buffer.from(`data: ${JSON.stringify(event)}\n\n`);
  });
  if (!withUsage) return events;
  const usage = {
    id: 'chatcmpl-bench0000000000000000000000',
    object: 'chat.completion.chunk',
    created: 1700000000,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [],
    usage: { prompt_tokens: 14, completion_tokens: 4, total_tokens: 18 },
  };
  return [...events, Buffer.from(`data: ${JSON.stringify(usage)}\n\n`)];
}

function errorBody(message: string, type: string, code: string | null): Buffer {
  return Buffer.from(JSON.stringify({ error: { message, type, param: null, code } }));
}
