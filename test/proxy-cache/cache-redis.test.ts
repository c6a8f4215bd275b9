import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { chatBody } from '../helpers/proxy-requests.js';
import { TEST_REDIS_URL } from '../helpers/service-urls.js';
import { startTcpRelay } from '../helpers/tcp-relay.js';
import type { TcpRelay } from '../helpers/tcp-relay.js';

const OPT_IN = { 'content-type': 'application/json', 'cache-control': 'public, max-age=60' };

describe.skipIf(!inject('redisAvailable'))('response cache on Redis, through the front door', () => {
  let relay: TcpRelay;
  let gateway: TestGateway;
  let token: string;

  beforeAll(async () => {
    relay = await startTcpRelay(TEST_REDIS_URL);
    gateway = await startTestGateway({
      env: {
        HTTP_CACHE_BACKEND: 'redis',
        HTTP_CACHE_STREAM_RESPONSES: 'true',
        REDIS_CACHE_URL: relay.url,
        REDIS_CACHE_KEY_PREFIX: `llm-proxy-test-proxy-${randomBytes(6).toString('hex')}:`,
        REDIS_CACHE_TIMEOUT: '300ms',
      },
    });
    token = (await gateway.issueToken()).token;
    // The store's connection is opened without waiting for it: until it is ready requests bypass the cache.
    await vi.waitFor(
      async () => {
        const response = await ask();
        await response.text();
        expect(response.headers.get('x-proxy-cache')).toBe('stored');
      },
      { timeout: 5000, interval: 50 },
    );
  });

  afterAll(async () => {
    await gateway.gateway.responseCache?.store.purge({ kind: 'all' }).catch(() => undefined);
    await gateway.close();
    await relay.close();
  });

  function ask(body = chatBody()): Promise<Response> {
    return gateway.proxy('/v1/chat/completions', { method: 'POST', token, headers: OPT_IN, body });
  }

  it('serves hits from Redis, JSON and streams byte for byte', async () => {
    const hit = await ask();
    const text = await hit.text();
    expect(hit.headers.get('x-proxy-cache')).toBe('hit');
    expect(JSON.parse(text)).toMatchObject({ object: 'chat.completion' });
    const streamBody = chatBody({ stream: true });
    const first = await (await ask(streamBody)).arrayBuffer();
    const replay = await ask(streamBody);
    expect(replay.headers.get('x-proxy-cache')).toBe('hit');
    expect(replay.headers.get('content-type')).toBe('text/event-stream');
    expect(Buffer.from(await replay.arrayBuffer()).equals(Buffer.from(first))).toBe(true);
  });

  it('Redis stopped mid-run: every request is still served, none waits past the timeout, and the cache comes back', async () => {
    await relay.cut();
    const started = performance.now();
    const during = [];
    for (let round = 0; round < 8; round += 1) {
      const response = await ask(chatBody({ round }));
      await response.text();
      during.push([response.status, response.headers.get('cache-status')]);
    }
    const elapsed = performance.now() - started;
    expect(during.every(([status]) => status === 200)).toBe(true);
    expect(during.every(([, status]) => status === 'llm-proxy; fwd=bypass; detail=store-unavailable')).toBe(
      true,
    );
    // Eight requests, each allowed REDIS_CACHE_TIMEOUT at most; the circuit spares most of them even that.
    expect(elapsed).toBeLessThan(8 * 300);
    const warnings = gateway.logs.entries.filter(
      (entry) => entry.level === 40 && /cache/i.test(String(entry.msg)),
    );
    expect(warnings).toHaveLength(1);
    await relay.restore();
    await vi.waitFor(
      async () => {
        const response = await ask();
        await response.text();
        expect(response.headers.get('x-proxy-cache')).toBe('hit');
      },
      { timeout: 10_000, interval: 100 },
    );
  });
});
