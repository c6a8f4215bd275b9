import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { closedPort } from '../helpers/network.js';
import { openAiLikeProvider } from '../helpers/provider-file.js';
import { chatRequest, errorOf } from '../helpers/proxy-requests.js';
import { invalidHttp, resetAfterHead, silent, startRawUpstream } from '../helpers/raw-upstream.js';
import type { RawUpstream } from '../helpers/raw-upstream.js';

const WAIT = { timeout: 3000, interval: 20 };

describe('quotas when the upstream fails', () => {
  let h: TestGateway;
  const raw: Record<string, RawUpstream> = {};
  beforeAll(async () => {
    raw.reset = await startRawUpstream(resetAfterHead);
    raw.garbage = await startRawUpstream(invalidHttp);
    raw.silent = await startRawUpstream(silent);
    raw.single = await startRawUpstream(silent);
    h = await startTestGateway({
      // Usage of unlimited tokens is written only when the test flushes it; the circuit has its own suite.
      env: { USAGE_FLUSH_INTERVAL: '1h', CIRCUIT_BREAKER_THRESHOLD: '1000' },
      providers: {
        reset: openAiLikeProvider(raw.reset.url),
        garbage: openAiLikeProvider(raw.garbage.url),
        silent: openAiLikeProvider(raw.silent.url, { timeouts: { response_header: '200ms' } }),
        dead: openAiLikeProvider(`http://127.0.0.1:${String(await closedPort())}`),
        single: openAiLikeProvider(raw.single.url, {
          timeouts: { response_header: '1s' },
          connection: { max_conns_per_host: 1 },
        }),
      },
    });
  });
  afterAll(async () => {
    await h.close();
    for (const upstream of Object.values(raw)) await upstream.close();
  });

  const chat = (token: string, signal?: AbortSignal) =>
    h.proxy('/v1/chat/completions', chatRequest(token, signal));

  /** Moves the project to the working provider and spends what is left of its quota of 2. */
  const requestsLeft = async (projectId: string, token: string): Promise<number> => {
    const moved = await h.manage('PATCH', `/manage/projects/${projectId}`, { provider: 'openai' });
    expect(moved.statusCode).toBe(200);
    let left = 0;
    while ((await chat(token)).status === 200) left += 1;
    return left;
  };

  it.each([
    [
      'reset',
      'the upstream resets the connection after the request was written',
      502,
      'upstream_unreachable',
    ],
    ['garbage', 'the upstream answers with invalid HTTP', 502, 'upstream_unreachable'],
    ['silent', 'no response headers arrive within response_header', 504, 'timeout'],
  ])('counts a request that reached the upstream when %s: %s', async (provider, _what, status, code) => {
    const upstream = raw[provider] as RawUpstream;
    const before = upstream.requests;
    const issued = await h.issueToken({ provider, token: { max_requests: 2 } });
    const response = await chat(issued.token);
    expect(response.status).toBe(status);
    expect((await errorOf(response)).code).toBe(code);
    // The upstream received the request head: it may have billed it.
    expect(upstream.requests).toBe(before + 1);
    expect(await requestsLeft(issued.projectId, issued.token)).toBe(1);
    expect((await h.tokenRecord(issued.tokenId)).requestCount).toBe(2);
  });

  it('gives back a request whose connection was refused: it never left the proxy', async () => {
    const issued = await h.issueToken({ provider: 'dead', token: { max_requests: 2 } });
    expect((await chat(issued.token)).status).toBe(502);
    await vi.waitFor(async () => {
      expect((await h.tokenRecord(issued.tokenId)).requestCount).toBe(0);
    }, WAIT);
    expect(await requestsLeft(issued.projectId, issued.token)).toBe(2);
  });

  it('gives back a request still queued for a connection when its client leaves, and counts the one on the wire', async () => {
    const issued = await h.issueToken({ provider: 'single', token: { max_requests: 3 } });
    const before = raw.single?.requests ?? 0;
    // The pool's only connection carries the first request, which the upstream never answers.
    const first = chat(issued.token);
    await vi.waitFor(() => {
      expect(raw.single?.requests).toBe(before + 1);
    }, WAIT);
    const controller = new AbortController();
    const queued = chat(issued.token, controller.signal).catch((error: unknown) => error);
    await vi.waitFor(async () => {
      expect((await h.tokenRecord(issued.tokenId)).requestCount).toBe(2);
    }, WAIT);
    controller.abort();
    await queued;
    expect((await first).status).toBe(504);
    expect(raw.single?.requests).toBe(before + 1);
    await vi.waitFor(async () => {
      expect((await h.tokenRecord(issued.tokenId)).requestCount).toBe(1);
    }, WAIT);
    expect(await requestsLeft(issued.projectId, issued.token)).toBe(2);
  });

  it('counts the requests of a token without a quota that reached the upstream, and not those that never left', async () => {
    const reset = await h.issueToken({ provider: 'reset' });
    const dead = await h.issueToken({ provider: 'dead' });
    expect((await chat(reset.token)).status).toBe(502);
    expect((await chat(reset.token)).status).toBe(502);
    expect((await chat(dead.token)).status).toBe(502);
    await h.gateway.requestCounts.flush();
    expect((await h.tokenRecord(reset.tokenId)).requestCount).toBe(2);
    expect((await h.tokenRecord(dead.tokenId)).requestCount).toBe(0);
  });
});
