import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { sendJson } from '../helpers/fake-upstream.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { chatBody } from '../helpers/proxy-requests.js';
import { openRawClient, requestHead } from '../helpers/raw-client.js';
import { SSE_DONE, SSE_HEADERS, chatChunk, slowStream, sseEvent } from '../helpers/sse.js';

const OPT_IN = { 'content-type': 'application/json', 'cache-control': 'public, max-age=60' };

function ask(gateway: TestGateway, token: string, body = chatBody(), signal?: AbortSignal) {
  return gateway.proxy('/v1/chat/completions', {
    method: 'POST',
    token,
    headers: OPT_IN,
    body,
    ...(signal === undefined ? {} : { signal }),
  });
}

/** Resolves once the upstream has received `count` requests. */
async function upstreamReceived(gateway: TestGateway, count: number): Promise<void> {
  for (let waited = 0; gateway.upstream.requests.length < count; waited += 5) {
    if (waited > 5000)
      throw new Error(`the upstream received ${String(gateway.upstream.requests.length)} requests`);
    await sleep(5);
  }
}

describe('response cache: request collapsing', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { HTTP_CACHE_STREAM_RESPONSES: 'true' } });
  });

  afterAll(async () => {
    await gateway.close();
  });

  afterEach(() => {
    gateway.upstream.reset();
  });

  it('100 identical requests that miss at once reach the upstream once and all get its answer', async () => {
    const { token } = await gateway.issueToken();
    gateway.upstream.script(async (_request, res) => {
      await sleep(300);
      sendJson(res, 200, { id: 'chatcmpl-once', answer: 'shared' });
    });
    const responses = await Promise.all(Array.from({ length: 100 }, () => ask(gateway, token)));
    const bodies = await Promise.all(responses.map((response) => response.json()));
    expect(gateway.upstream.requests).toHaveLength(1);
    expect(bodies.every((body) => JSON.stringify(body) === '{"id":"chatcmpl-once","answer":"shared"}')).toBe(
      true,
    );
    const outcomes = responses.map((response) => response.headers.get('x-proxy-cache'));
    expect(outcomes.filter((outcome) => outcome === 'stored')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'collapsed' || outcome === 'hit')).toHaveLength(99);
    expect(outcomes.filter((outcome) => outcome === 'collapsed').length).toBeGreaterThan(0);
    const collapsed = responses.find((response) => response.headers.get('x-proxy-cache') === 'collapsed');
    expect(collapsed?.headers.get('cache-status')).toBe('llm-proxy; fwd=uri-miss; collapsed');
  });

  it('a stream is shared live, chunk by chunk from the first byte, with requests that join midway', async () => {
    const { token } = await gateway.issueToken();
    let upstreamDone = false;
    gateway.upstream.script(async (_request, res) => {
      await slowStream(res, 10, 40);
      upstreamDone = true;
    });
    const body = chatBody({ stream: true });
    const leader = await ask(gateway, token, body);
    const leaderReader = leader.body?.getReader();
    const firstOfLeader = await leaderReader?.read();
    expect(firstOfLeader?.done).toBe(false);
    const follower = await ask(gateway, token, body);
    expect(follower.headers.get('x-proxy-cache')).toBe('collapsed');
    expect(follower.headers.get('content-type')).toBe('text/event-stream');
    const followerReader = follower.body?.getReader();
    const firstOfFollower = await followerReader?.read();
    // The follower reads while the upstream is still generating (10 chunks, 40 ms apart): live, not at the end.
    expect(upstreamDone).toBe(false);
    const rest = async (
      reader: ReadableStreamDefaultReader<Uint8Array> | undefined,
      first: Uint8Array | undefined,
    ) => {
      const parts = [Buffer.from(first ?? new Uint8Array())];
      for (;;) {
        const next = await reader?.read();
        if (next === undefined || next.done) break;
        parts.push(Buffer.from(next.value));
      }
      return Buffer.concat(parts).toString();
    };
    const [leaderText, followerText] = await Promise.all([
      rest(leaderReader, firstOfLeader?.value as Uint8Array | undefined),
      rest(followerReader, firstOfFollower?.value as Uint8Array | undefined),
    ]);
    expect(followerText).toBe(leaderText);
    expect(followerText).toContain('data: [DONE]');
    expect(gateway.upstream.requests).toHaveLength(1);
  });

  it('the upstream request goes on while a follower still reads, and is aborted when every client has gone', async () => {
    const { token } = await gateway.issueToken();
    gateway.upstream.script(async (_request, res) => {
      await slowStream(res, 25, 40);
    });
    const body = chatBody({ stream: true, n: 2 });
    const leaderAbort = new AbortController();
    const leader = await ask(gateway, token, body, leaderAbort.signal);
    await leader.body?.getReader().read();
    const followerAbort = new AbortController();
    const follower = await ask(gateway, token, body, followerAbort.signal);
    const followerReader = follower.body?.getReader();
    await followerReader?.read();
    leaderAbort.abort();
    await sleep(150);
    expect(gateway.upstream.requests[0]?.aborted).toBe(false);
    expect((await followerReader?.read())?.done).toBe(false);
    followerAbort.abort();
    for (let waited = 0; gateway.upstream.requests[0]?.aborted !== true && waited < 3000; waited += 20)
      await sleep(20);
    expect(gateway.upstream.requests[0]?.aborted).toBe(true);
    // Cut by every client: not stored.
    gateway.upstream.reset();
    const again = await ask(gateway, token, body);
    await again.text();
    expect(again.headers.get('x-proxy-cache')).toBe('stored');
  });

  it('an answer that cannot be shared is never shown to another client: each waiting request goes upstream itself', async () => {
    const { token } = await gateway.issueToken();
    let served = 0;
    gateway.upstream.script(async (_request, res) => {
      served += 1;
      const mine = served;
      await sleep(200);
      res.setHeader('cache-control', 'private');
      sendJson(res, 200, { for_request: mine });
    });
    const responses = await Promise.all(Array.from({ length: 5 }, () => ask(gateway, token)));
    const bodies = (await Promise.all(responses.map((response) => response.json()))) as {
      for_request: number;
    }[];
    expect(new Set(bodies.map((body) => body.for_request)).size).toBe(5);
    expect(gateway.upstream.requests).toHaveLength(5);
    expect(responses.every((response) => response.headers.get('x-proxy-cache') === 'miss')).toBe(true);
  });

  it('when the upstream fails before answering, the waiting requests go upstream on their own', async () => {
    const { token } = await gateway.issueToken();
    let received = 0;
    gateway.upstream.script(async (_request, res) => {
      received += 1;
      await sleep(150);
      if (received === 1) {
        res.destroy();
        return;
      }
      sendJson(res, 200, { ok: true });
    });
    const leader = ask(gateway, token);
    await upstreamReceived(gateway, 1);
    const waiting = await Promise.all(Array.from({ length: 3 }, () => ask(gateway, token)));
    expect((await leader).status).toBe(502);
    expect(waiting.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(gateway.upstream.requests).toHaveLength(4);
  });

  it('a follower whose client stops reading holds its own chunks back and never slows the others', async () => {
    const big = await startTestGateway({
      env: { HTTP_CACHE_STREAM_RESPONSES: 'true', HTTP_CACHE_MAX_OBJECT_BYTES: '32MiB' },
    });
    try {
      const { token } = await big.issueToken();
      const piece = 'x'.repeat(48 * 1024);
      big.upstream.script(async (_request, res) => {
        res.writeHead(200, SSE_HEADERS);
        res.write(sseEvent(chatChunk('start', { first: true })));
        await sleep(300);
        for (let index = 0; index < 200; index += 1) res.write(sseEvent(chatChunk(piece)));
        res.end(SSE_DONE);
      });
      const body = chatBody({ stream: true, big: true });
      const leader = await ask(big, token, body);
      const leaderReader = leader.body?.getReader();
      await leaderReader?.read();
      const stalled = await openRawClient(big.url);
      stalled.socket.pause();
      stalled.write(
        `${requestHead('POST', '/v1/chat/completions', {
          authorization: `Bearer ${token}`,
          ...OPT_IN,
          'content-length': String(Buffer.byteLength(body)),
        })}${body}`,
      );
      const fast = await ask(big, token, body);
      expect(fast.headers.get('x-proxy-cache')).toBe('collapsed');
      const drain = async (reader: ReadableStreamDefaultReader<Uint8Array> | undefined) => {
        let bytes = 0;
        for (;;) {
          const next = await reader?.read();
          if (next === undefined || next.done) return bytes;
          bytes += next.value.length;
        }
      };
      const [leaderBytes, fastBytes] = await Promise.all([
        drain(leaderReader),
        drain(fast.body?.getReader()),
      ]);
      expect(fastBytes).toBeGreaterThan(200 * 48 * 1024);
      expect(leaderBytes).toBeGreaterThan(200 * 48 * 1024);
      // Nearly all of the stalled client's answer is still waiting in the proxy, not in its socket.
      expect(stalled.received()).not.toContain('[DONE]');
      stalled.socket.resume();
      await stalled.waitFor('data: [DONE]', 10_000);
      expect(stalled.received()).toContain('x-proxy-cache: collapsed');
      stalled.destroy();
      expect(big.upstream.requests).toHaveLength(1);
    } finally {
      await big.close();
    }
  });
});
