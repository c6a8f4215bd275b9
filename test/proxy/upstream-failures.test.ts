import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import type { IssuedToken } from '../helpers/management.js';
import { closedPort } from '../helpers/network.js';
import { openAiLikeProvider } from '../helpers/provider-file.js';
import { JSON_HEADERS, chatBody, errorOf } from '../helpers/proxy-requests.js';
import { silent, stallAfterFirstEvent, startRawUpstream } from '../helpers/raw-upstream.js';
import type { RawUpstream } from '../helpers/raw-upstream.js';
import { chatChunk } from '../helpers/sse.js';

const WAIT = { timeout: 3000, interval: 20 };
const STREAM_ERROR = /^data: \{"error":\{.*"code":"upstream_stream_error"\}\}\n\n$/;

describe('upstream failures', () => {
  let h: TestGateway;
  let silentUpstream: RawUpstream;
  let stallingUpstream: RawUpstream;
  let healthy: IssuedToken;
  beforeAll(async () => {
    silentUpstream = await startRawUpstream(silent);
    stallingUpstream = await startRawUpstream(stallAfterFirstEvent);
    h = await startTestGateway({
      // These tests are about each failure's answer; the circuit breaker has its own suite.
      env: { CIRCUIT_BREAKER_THRESHOLD: '1000' },
      providers: {
        dead: openAiLikeProvider(`http://127.0.0.1:${String(await closedPort())}`),
        silent: openAiLikeProvider(silentUpstream.url, { timeouts: { response_header: '200ms' } }),
        stalling: openAiLikeProvider(stallingUpstream.url, { timeouts: { idle_read: '300ms' } }),
      },
    });
    healthy = await h.issueToken();
  });
  afterAll(async () => {
    await h.close();
    await silentUpstream.close();
    await stallingUpstream.close();
  });
  beforeEach(() => {
    h.upstream.reset();
  });

  const chat = (token: string, extra: Record<string, unknown> = {}) =>
    h.proxy('/v1/chat/completions', {
      method: 'POST',
      token,
      headers: JSON_HEADERS,
      body: chatBody(extra),
    });

  it('answers 502 upstream_unreachable in the OpenAI shape when the upstream refuses connections', async () => {
    const issued = await h.issueToken({ provider: 'dead' });
    const response = await chat(issued.token);
    expect(response.status).toBe(502);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await errorOf(response)).toMatchObject({ code: 'upstream_unreachable', type: 'proxy_error' });
    const error: unknown = await h
      .openai(issued.token)
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ status: 502, code: 'upstream_unreachable' });
  });

  it('gives a limited token its request back when the upstream was unreachable', async () => {
    const issued = await h.issueToken({ provider: 'dead', token: { max_requests: 2 } });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await chat(issued.token)).status).toBe(502);
    }
    await vi.waitFor(async () => {
      expect((await h.tokenRecord(issued.tokenId)).requestCount).toBe(0);
    }, WAIT);
    // The quota is intact: moved to a working provider, the token still has both requests.
    expect(
      (await h.manage('PATCH', `/manage/projects/${issued.projectId}`, { provider: 'openai' })).statusCode,
    ).toBe(200);
    expect((await chat(issued.token)).status).toBe(200);
    expect((await chat(issued.token)).status).toBe(200);
    expect((await chat(issued.token)).status).toBe(429);
    expect((await h.tokenRecord(issued.tokenId)).requestCount).toBe(2);
  });

  it('answers 504 timeout when no response headers arrive within response_header, and lets go of the upstream', async () => {
    const issued = await h.issueToken({ provider: 'silent' });
    const started = Date.now();
    const response = await chat(issued.token);
    expect(response.status).toBe(504);
    expect(await errorOf(response)).toMatchObject({ code: 'timeout', type: 'proxy_error' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(silentUpstream.requests).toBeGreaterThanOrEqual(1);
    await vi.waitFor(async () => {
      expect(await silentUpstream.connections()).toBe(0);
    }, WAIT);
  });

  it('ends an SSE stream that the upstream cuts midway with an upstream_stream_error event', async () => {
    h.upstream.script((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify(chatChunk('one '))}\n\n`);
      res.write(`data: ${JSON.stringify(chatChunk('two'))}\n\n`, () => res.socket?.destroy());
    });
    const response = await chat(healthy.token, { stream: true });
    expect(response.status).toBe(200);
    const text = await response.text();
    const events = text.split(/(?<=\n\n)/);
    expect(events).toHaveLength(3);
    expect(events[0]).toContain('"one "');
    expect(events[1]).toContain('"two"');
    expect(events[2]).toMatch(STREAM_ERROR);
  });

  it('makes the SDK stream throw an APIError (not hang) when the upstream cuts it midway', async () => {
    h.upstream.script((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify(chatChunk('one '))}\n\n`);
      res.write(`data: ${JSON.stringify(chatChunk('two'))}\n\n`, () => res.socket?.destroy());
    });
    const stream = await h.openai(healthy.token).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const received: string[] = [];
    const error = await (async () => {
      try {
        for await (const part of stream) received.push(part.choices[0]?.delta.content ?? '');
        return undefined;
      } catch (caught) {
        return caught;
      }
    })();
    expect(received).toEqual(['one ', 'two']);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain('upstream connection lost mid-stream');
  });

  it('cuts a non-SSE response the upstream cut midway, so the client sees an error instead of a short body', async () => {
    h.upstream.script((_request, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"id":"chatcmpl-cut","choices":[', () => res.socket?.destroy());
    });
    const response = await chat(healthy.token);
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });

  it('ends a stream whose upstream goes silent for longer than idle_read, and lets go of the upstream', async () => {
    const issued = await h.issueToken({ provider: 'stalling' });
    const started = Date.now();
    const response = await chat(issued.token, { stream: true });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(Date.now() - started).toBeLessThan(5000);
    const events = text.split(/(?<=\n\n)/);
    expect(events[0]).toContain('"first"');
    expect(events.at(-1)).toMatch(STREAM_ERROR);
    await vi.waitFor(async () => {
      expect(await stallingUpstream.connections()).toBe(0);
    }, WAIT);
  });

  it('still serves normal requests afterwards and holds no connection or request open', async () => {
    const completion = await h
      .openai(healthy.token)
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ok?' }] });
    expect(completion.choices[0]?.message.content).toBe('Hello from the fake upstream');
    await vi.waitFor(() => {
      expect(h.gateway.metrics.snapshot().in_flight).toBe(0);
    }, WAIT);
    h.dropIdleClients();
    await vi.waitFor(async () => {
      expect(await h.connections()).toBe(0);
    }, WAIT);
  });
});
