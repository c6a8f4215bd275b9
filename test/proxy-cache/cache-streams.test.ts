import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { chatBody } from '../helpers/proxy-requests.js';
import { SSE_DONE, SSE_HEADERS, chatChunk, sendChatStream, slowStream, sseEvent } from '../helpers/sse.js';

const OPT_IN = { 'content-type': 'application/json', 'cache-control': 'public, max-age=60' };

/** A streamed chat request that opts in, read whole as bytes, with the chunks it arrived in. */
async function streamOf(gateway: TestGateway, token: string, body = chatBody({ stream: true })) {
  const response = await gateway.proxy('/v1/chat/completions', {
    method: 'POST',
    token,
    headers: OPT_IN,
    body,
  });
  const chunks: Buffer[] = [];
  for await (const chunk of response.body ?? []) chunks.push(Buffer.from(chunk as Uint8Array));
  return { response, bytes: Buffer.concat(chunks), chunks };
}

/** Sends a streamed request that opts in, reads its first chunk and leaves. */
async function leaveEarly(gateway: TestGateway, token: string): Promise<void> {
  const controller = new AbortController();
  const response = await gateway.proxy('/v1/chat/completions', {
    method: 'POST',
    token,
    headers: OPT_IN,
    body: chatBody({ stream: true }),
    signal: controller.signal,
  });
  await response.body?.getReader().read();
  controller.abort();
}

describe('response cache: streams', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({
      env: { HTTP_CACHE_STREAM_RESPONSES: 'true', HTTP_CACHE_MAX_OBJECT_BYTES: '4KiB' },
    });
  });

  afterAll(async () => {
    await gateway.close();
  });

  afterEach(() => {
    gateway.upstream.reset();
  });

  it('a complete stream is stored while it streams and replayed as the same bytes, as a stream', async () => {
    const { token } = await gateway.issueToken();
    const first = await streamOf(gateway, token);
    expect(first.response.headers.get('x-proxy-cache')).toBe('stored');
    const second = await streamOf(gateway, token);
    expect(second.response.headers.get('x-proxy-cache')).toBe('hit');
    expect(second.response.headers.get('content-type')).toBe('text/event-stream');
    expect(second.bytes.equals(first.bytes)).toBe(true);
    expect(second.bytes.toString()).toContain(SSE_DONE);
    expect(gateway.upstream.requests).toHaveLength(1);
  });

  it('the official OpenAI SDK streams the cached answer on its second call', async () => {
    const { token } = await gateway.issueToken();
    const client = gateway.openai(token);
    const collect = async () => {
      const stream = await client.chat.completions.create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'stream me' }], stream: true },
        { headers: { 'Cache-Control': 'public, max-age=120' } },
      );
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      return text;
    };
    expect(await collect()).toBe('Hello from the fake upstream');
    expect(await collect()).toBe('Hello from the fake upstream');
    expect(gateway.upstream.requests).toHaveLength(1);
  });

  it('a stream the client cut is not stored', async () => {
    const { token } = await gateway.issueToken();
    gateway.upstream.script(async (_request, res) => {
      await slowStream(res, 20, 20);
    });
    await leaveEarly(gateway, token);
    await sleep(100);
    const next = await streamOf(gateway, token);
    expect(next.response.headers.get('x-proxy-cache')).toBe('stored');
    expect(gateway.upstream.requests).toHaveLength(2);
    expect(gateway.upstream.requests[0]?.aborted).toBe(true);
  });

  it('a stream the upstream cut, or one that ended in an error event, is not stored', async () => {
    const { token } = await gateway.issueToken();
    gateway.upstream.script((_request, res) => {
      res.writeHead(200, SSE_HEADERS);
      res.write(sseEvent(chatChunk('partial', { first: true })));
      setTimeout(() => res.destroy(), 20);
    });
    const cut = await streamOf(gateway, token);
    expect(cut.bytes.toString()).toContain('upstream_stream_error');
    gateway.upstream.script((_request, res) => {
      res.writeHead(200, SSE_HEADERS);
      res.write(sseEvent(chatChunk('partial', { first: true })));
      res.end(sseEvent({ error: { message: 'overloaded', type: 'server_error' } }));
    });
    const failed = await streamOf(gateway, token);
    expect(failed.response.headers.get('x-proxy-cache')).toBe('stored');
    gateway.upstream.reset();
    const next = await streamOf(gateway, token);
    expect(next.response.headers.get('x-proxy-cache')).toBe('stored');
    expect(next.bytes.toString()).toContain(SSE_DONE);
    const hit = await streamOf(gateway, token);
    expect(hit.response.headers.get('x-proxy-cache')).toBe('hit');
  });

  it('a stream larger than HTTP_CACHE_MAX_OBJECT_BYTES is relayed whole and not stored', async () => {
    const { token } = await gateway.issueToken();
    const words = Array.from({ length: 80 }, (_, index) => `word-${String(index)}-${'x'.repeat(40)} `);
    gateway.upstream.script(async (_request, res) => {
      await sendChatStream(res, words, 0);
    });
    const large = await streamOf(gateway, token);
    expect(large.bytes.length).toBeGreaterThan(4096);
    expect(large.bytes.toString()).toContain(SSE_DONE);
    const again = await streamOf(gateway, token);
    expect(again.response.headers.get('x-proxy-cache')).toBe('stored');
    expect(gateway.upstream.requests).toHaveLength(2);
  });
});

describe('response cache: streams without HTTP_CACHE_STREAM_RESPONSES', () => {
  it('an opted-in stream is relayed and not stored', async () => {
    const gateway = await startTestGateway();
    try {
      const { token } = await gateway.issueToken();
      const first = await streamOf(gateway, token);
      expect(first.response.headers.get('cache-status')).toBe('llm-proxy; fwd=uri-miss; detail=stream');
      const second = await streamOf(gateway, token);
      expect(second.response.headers.get('x-proxy-cache')).toBe('miss');
      expect(gateway.upstream.requests).toHaveLength(2);
    } finally {
      await gateway.close();
    }
  });
});
