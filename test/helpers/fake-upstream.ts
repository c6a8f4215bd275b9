import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake upstream received. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** True when the client (the proxy) went away before the response was finished. */
  aborted: boolean;
}

/** Answers a request; the default answers like OpenAI. */
export type UpstreamScript = (request: RecordedRequest, res: ServerResponse) => void | Promise<void>;

/** A fake OpenAI-compatible upstream on a real socket that records what it received. */
export interface FakeUpstream {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Replaces how requests are answered (until reset). */
  script(script: UpstreamScript): void;
  reset(): void;
  close(): Promise<void>;
}

/** Starts a fake upstream on 127.0.0.1 and an ephemeral port. */
export async function startFakeUpstream(): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  let current: UpstreamScript = openAiScript;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        aborted: false,
      };
      requests.push(recorded);
      res.on('close', () => {
        if (!res.writableFinished) recorded.aborted = true;
      });
      void Promise.resolve(current(recorded, res)).catch(() => res.destroy());
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script(script) {
      current = script;
    },
    reset() {
      current = openAiScript;
      requests.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Writes a JSON answer. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Streams chat-completion chunks as server-sent events, `delayMs` apart. */
export async function sendChatStream(
  res: ServerResponse,
  words: readonly string[],
  delayMs = 5,
): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const [index, word] of words.entries()) {
    const chunk = {
      id: 'chatcmpl-fake',
      object: 'chat.completion.chunk',
      created: 1700000000,
      model: 'gpt-4o-mini',
      choices: [
        {
          index: 0,
          delta: index === 0 ? { role: 'assistant', content: word } : { content: word },
          finish_reason: null,
        },
      ],
    };
    res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    await sleep(delayMs);
  }
  const last = {
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 1700000000,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
  };
  res.write(`data: ${JSON.stringify(last)}\n\n`);
  res.end('data: [DONE]\n\n');
}

/** Waits. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Answers like the OpenAI API for chat (JSON and SSE), embeddings and models. */
export const openAiScript: UpstreamScript = async (request, res) => {
  const path = request.url.split('?')[0];
  if (request.method === 'POST' && path === '/v1/chat/completions') {
    const body = JSON.parse(request.body.toString() || '{}') as { stream?: boolean; model?: string };
    if (body.stream === true) {
      await sendChatStream(res, ['Hello', ' from', ' the', ' fake', ' upstream']);
      return;
    }
    sendJson(res, 200, {
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: 1700000000,
      model: body.model ?? 'gpt-4o-mini',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello from the fake upstream' },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
    });
    return;
  }
  if (request.method === 'POST' && path === '/v1/embeddings') {
    sendJson(res, 200, {
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }],
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 2, total_tokens: 2 },
    });
    return;
  }
  if (request.method === 'GET' && path === '/v1/models') {
    sendJson(res, 200, {
      object: 'list',
      data: [{ id: 'gpt-4o-mini', object: 'model', created: 1, owned_by: 'openai' }],
    });
    return;
  }
  sendJson(res, 404, {
    error: {
      message: `Unknown request URL: ${request.method} ${path}`,
      type: 'invalid_request_error',
      code: 'unknown_url',
    },
  });
};
