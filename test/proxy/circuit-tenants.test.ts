import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { ManualClock } from '../helpers/clock.js';
import { sendJson, startFakeUpstream } from '../helpers/fake-upstream.js';
import type { FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { deferred } from '../helpers/network.js';
import { openAiLikeProvider } from '../helpers/provider-file.js';
import { JSON_HEADERS, chatBody, chatRequest, errorOf } from '../helpers/proxy-requests.js';
import { startTcpRelay } from '../helpers/tcp-relay.js';
import type { TcpRelay } from '../helpers/tcp-relay.js';

const THRESHOLD = 3;
const COOLDOWN_MS = 30_000;
const SLOW_KEY = 'sk-upstream-key-slow-tenant';
const WAIT = { timeout: 3000, interval: 20 };

describe('circuits and tenants', () => {
  let h: TestGateway;
  let shared: FakeUpstream;
  let relayed: FakeUpstream;
  let relay: TcpRelay;
  const clock = new ManualClock();
  beforeAll(async () => {
    shared = await startFakeUpstream();
    relayed = await startFakeUpstream();
    relay = await startTcpRelay(relayed.url);
    h = await startTestGateway({
      clock,
      env: { CIRCUIT_BREAKER_THRESHOLD: String(THRESHOLD), CIRCUIT_BREAKER_COOLDOWN: '30s' },
      providers: {
        shared: openAiLikeProvider(shared.url, { timeouts: { response_header: '200ms' } }),
        relayed: openAiLikeProvider(relay.url.replace(/\/$/, '')),
      },
    });
  });
  afterAll(async () => {
    await h.close();
    await relay.close();
    await shared.close();
    await relayed.close();
  });

  const chat = (token: string) => h.proxy('/v1/chat/completions', chatRequest(token));

  it('does not refuse other projects when one tenant’s requests time out or fail again and again', async () => {
    // The upstream never answers the slow tenant's requests (its own huge prompts, say) and fails some of them.
    let slowRequests = 0;
    shared.script((request, res) => {
      if (request.headers.authorization !== `Bearer ${SLOW_KEY}`) {
        sendJson(res, 200, { id: 'ok', object: 'chat.completion', choices: [] });
        return;
      }
      slowRequests += 1;
      if (slowRequests % 2 === 0) sendJson(res, 503, { error: { message: 'busy', type: 'x', code: null } });
    });
    const slow = await h.issueToken({ provider: 'shared', apiKey: SLOW_KEY });
    const other = await h.issueToken({ provider: 'shared' });
    const statuses: number[] = [];
    for (let index = 0; index < THRESHOLD; index += 1) statuses.push((await chat(slow.token)).status);
    expect(statuses).toEqual([504, 503, 504]);
    // The slow tenant's own circuit is open; every other project is served as before.
    expect((await errorOf(await chat(slow.token))).code).toBe('circuit_open');
    for (let index = 0; index < THRESHOLD * 2; index += 1) {
      expect((await chat(other.token)).status).toBe(200);
    }
    expect(slowRequests).toBe(THRESHOLD);
  });

  it('lets other requests through once the half-open trial is connected, while its answer is still pending', async () => {
    const first = await h.issueToken({ provider: 'relayed' });
    const second = await h.issueToken({ provider: 'relayed' });
    await relay.cut();
    for (let index = 0; index < THRESHOLD; index += 1) {
      expect((await errorOf(await chat(first.token))).code).toBe('upstream_unreachable');
    }
    expect((await errorOf(await chat(second.token))).code).toBe('circuit_open');
    await relay.restore();
    clock.advance(COOLDOWN_MS + 1000);

    // The trial's answer is slow (a long generation): it holds nobody back once its connection is made.
    const answer = deferred();
    relayed.script(async (request, res) => {
      if (request.headers['x-slow'] === 'yes') await answer.promise;
      sendJson(res, 200, { id: 'ok', object: 'chat.completion', choices: [] });
    });
    const trial = h.proxy('/v1/chat/completions', {
      method: 'POST',
      token: first.token,
      headers: { ...JSON_HEADERS, 'x-slow': 'yes' },
      body: chatBody(),
    });
    try {
      await vi.waitFor(() => {
        expect(relayed.requests).toHaveLength(1);
      }, WAIT);
      expect((await chat(second.token)).status).toBe(200);
      expect((await chat(first.token)).status).toBe(200);
    } finally {
      answer.resolve();
    }
    expect((await trial).status).toBe(200);
  });
});
