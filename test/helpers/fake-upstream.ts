import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { sendChatStream } from './sse.js';

/** One request the fake upstream received. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** True when the client (the proxy) went away before the response was finished. */
  aborted: boolean;
}

/** Answers a request; {@link openAiScript} unless told otherwise. */
export type UpstreamScript = (request: RecordedRequest, res: ServerResponse) => void | Promise<void>;

/** A fake upstream on a real socket that answers by a script and records what it received. */
export interface FakeUpstream {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Replaces how requests are answered (until reset). */
  script(script: UpstreamScript): void;
  /** Forgets the requests and goes back to the script it started with. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts a fake upstream on 127.0.0.1 and an ephemeral port. */
export async function startFakeUpstream(initial: UpstreamScript = openAiScript): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  let current: UpstreamScript = initial;
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
      current = initial;
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

/** Headers of a recorded upstream request, as one lower-cased text (to look for leaked secrets). */
export function headerText(headers: IncomingHttpHeaders): string {
  return JSON.stringify(headers).toLowerCase();
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

/** Answers like the Anthropic Messages API. */
export const anthropicScript: UpstreamScript = (request, res) => {
  if (request.method === 'POST' && request.url === '/v1/messages') {
    sendJson(res, 200, {
      id: 'msg_fake',
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: 'Hello from the fake Anthropic' }],
      model: 'claude-test',
      stop_reason: 'end_turn',
    });
    return;
  }
  sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: 'unknown' } });
};
