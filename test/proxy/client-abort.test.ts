import { connect } from 'node:net';

import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import type { IssuedToken } from '../helpers/management.js';
import { closed } from '../helpers/network.js';
import { JSON_HEADERS, chatBody, leaveAfterFirstChunk } from '../helpers/proxy-requests.js';
import { slowStream } from '../helpers/sse.js';
import { TEST_DIALECTS } from '../helpers/test-store.js';

const WAIT = { timeout: 3000, interval: 10 };

describe('a client that goes away aborts the upstream request', () => {
  let h: TestGateway;
  let issued: IssuedToken;
  beforeAll(async () => {
    h = await startTestGateway();
    issued = await h.issueToken();
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.upstream.reset();
  });

  /** Sends a chat request, aborts it once the upstream has received it, and returns what the client got. */
  const abortOnceUpstreamHasIt = async (token: string): Promise<unknown> => {
    const controller = new AbortController();
    const pending = h
      .proxy('/v1/chat/completions', {
        method: 'POST',
        token,
        headers: JSON_HEADERS,
        body: chatBody(),
        signal: controller.signal,
      })
      .catch((error: unknown) => error);
    await vi.waitFor(() => {
      expect(h.upstream.requests).toHaveLength(1);
    }, WAIT);
    controller.abort();
    return pending;
  };

  const stillServes = async (): Promise<void> => {
    h.upstream.reset();
    const completion = await h.openai(issued.token).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'still there?' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Hello from the fake upstream');
  };

  it('aborts a slow stream upstream when fetch is aborted after the first chunk', async () => {
    // 200 chunks 50 ms apart: ten seconds of generation unless the abort reaches the upstream.
    h.upstream.script((_request, res) => slowStream(res, 200, 50));
    const { response, first } = await leaveAfterFirstChunk(h, issued.token);
    expect(response.status).toBe(200);
    expect(first).toContain('data: ');
    await vi.waitFor(() => {
      expect(h.upstream.requests[0]?.aborted).toBe(true);
    }, WAIT);
    await stillServes();
  });

  it("aborts upstream when the SDK's stream controller aborts", async () => {
    h.upstream.script((_request, res) => slowStream(res, 200, 50));
    const stream = await h.openai(issued.token).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'write a novel' }],
      stream: true,
    });
    const received: string[] = [];
    try {
      for await (const part of stream) {
        received.push(part.choices[0]?.delta.content ?? '');
        stream.controller.abort();
      }
    } catch (error) {
      expect((error as Error).name).toMatch(/Abort/);
    }
    expect(received.length).toBeGreaterThanOrEqual(1);
    expect(received.length).toBeLessThan(200);
    await vi.waitFor(() => {
      expect(h.upstream.requests[0]?.aborted).toBe(true);
    }, WAIT);
    await stillServes();
  });

  it('aborts upstream when the client leaves before the response headers arrived', async () => {
    // The upstream "thinks" until the connection closes.
    h.upstream.script((_request, res) => closed(res));
    expect(await abortOnceUpstreamHasIt(issued.token)).toBeInstanceOf(Error);
    await vi.waitFor(() => {
      expect(h.upstream.requests[0]?.aborted).toBe(true);
    }, WAIT);
    await stillServes();
  });

  it('keeps counting a limited request the upstream received even though the client left before the answer', async () => {
    const limited = await h.issueToken({ token: { max_requests: 5 } });
    h.upstream.script((_request, res) => closed(res));
    await abortOnceUpstreamHasIt(limited.token);
    await vi.waitFor(() => {
      expect(h.upstream.requests[0]?.aborted).toBe(true);
    }, WAIT);
    // Give a (wrong) refund every chance to land before checking it did not.
    await stillServes();
    expect((await h.tokenRecord(limited.tokenId)).requestCount).toBe(1);
  });
});

describe.each(TEST_DIALECTS)('a client that leaves while its request is being checked (%s)', (dialect) => {
  let h: TestGateway;
  beforeAll(async () => {
    // With a threshold of 1, a single wrongly counted upstream failure would open the circuit.
    h = await startTestGateway({ dialect, env: { CIRCUIT_BREAKER_THRESHOLD: '1' } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('neither reaches the upstream nor trips the circuit breaker nor costs quota', async () => {
    const issued = await h.issueToken({ token: { max_requests: 10 } });
    const { hostname, port } = new URL(h.url);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      // Headers and the start of an upload, then a reset while the proxy awaits the token and quota lookups.
      const socket = connect(Number(port), hostname);
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      const closedSocket = new Promise((resolve) => socket.once('close', resolve));
      socket.write(
        `POST /v1/files HTTP/1.1\r\nhost: ${hostname}\r\nauthorization: Bearer ${issued.token}\r\n` +
          'content-type: application/octet-stream\r\ncontent-length: 100000\r\n\r\nfirst bytes',
        () => socket.resetAndDestroy(),
      );
      await closedSocket;
    }
    await vi.waitFor(() => {
      expect(h.gateway.metrics.snapshot().in_flight).toBe(0);
    }, WAIT);
    const response = await h.proxy('/v1/chat/completions', {
      method: 'POST',
      token: issued.token,
      headers: JSON_HEADERS,
      body: chatBody(),
    });
    expect(response.status).toBe(200);
    expect(h.upstream.requests.map((request) => request.url)).toEqual(['/v1/chat/completions']);
    await vi.waitFor(async () => {
      expect((await h.tokenRecord(issued.tokenId)).requestCount).toBe(1);
    }, WAIT);
  });
});
