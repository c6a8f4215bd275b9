import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { JSON_HEADERS, chatBody, errorOf } from '../helpers/proxy-requests.js';
import { TEST_DIALECTS } from '../helpers/test-store.js';

const CONCURRENT = 200;
const QUOTA = 10;

describe.each(TEST_DIALECTS)('exact quotas under concurrency (%s)', (dialect) => {
  let h: TestGateway;
  beforeAll(async () => {
    h = await startTestGateway({
      dialect,
      // Usage of unlimited tokens is written only when the test flushes it.
      env: { USAGE_FLUSH_INTERVAL: '1h', MAX_REQUEST_SIZE: '1KB' },
      openai: { param_whitelist: { model: ['gpt-4o*'] }, allowed_origins: ['https://app.example'] },
    });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.upstream.reset();
  });

  const chat = (token: string, init: RequestInit = {}) =>
    h.injectProxy('/v1/chat/completions', {
      method: 'POST',
      token,
      headers: JSON_HEADERS,
      body: chatBody(),
      ...init,
    });

  it(`lets exactly ${String(QUOTA)} of ${String(CONCURRENT)} simultaneous requests through`, async () => {
    const issued = await h.issueToken({ token: { max_requests: QUOTA } });
    const responses = await Promise.all(
      Array.from({ length: CONCURRENT }, async () => {
        const response = await chat(issued.token);
        const body = await response.text();
        return { status: response.status, body };
      }),
    );
    const ok = responses.filter((response) => response.status === 200);
    const limited = responses.filter((response) => response.status === 429);
    expect(ok).toHaveLength(QUOTA);
    expect(limited).toHaveLength(CONCURRENT - QUOTA);
    for (const response of limited) {
      expect(JSON.parse(response.body)).toMatchObject({
        error: { code: 'rate_limit_exceeded', type: 'rate_limit_error' },
      });
    }
    expect(h.upstream.requests).toHaveLength(QUOTA);
    const record = await h.tokenRecord(issued.tokenId);
    expect(record.requestCount).toBe(QUOTA);
    expect(record.lastUsedAt).toBeInstanceOf(Date);

    const after = await chat(issued.token);
    expect(after.status).toBe(429);
    expect((await h.tokenRecord(issued.tokenId)).requestCount).toBe(QUOTA);
  });

  it('does not count requests the proxy refused', async () => {
    const issued = await h.issueToken({ token: { max_requests: 2 } });
    const refusals: [string, Promise<Response>][] = [
      ['endpoint_not_found', h.injectProxy('/v1/not-allowed', { token: issued.token })],
      ['method_not_allowed', chat(issued.token, { method: 'PUT' })],
      ['param_not_allowed', chat(issued.token, { body: chatBody({ model: 'gpt-3.5-turbo' }) })],
      ['invalid_json', chat(issued.token, { body: '{"model":' })],
      ['payload_too_large', chat(issued.token, { body: chatBody({ padding: 'x'.repeat(2048) }) })],
      [
        'origin_not_allowed',
        chat(issued.token, { headers: { ...JSON_HEADERS, origin: 'https://evil.example' } }),
      ],
    ];
    for (const [code, pending] of refusals) {
      expect((await errorOf(await pending)).code).toBe(code);
    }
    expect((await h.tokenRecord(issued.tokenId)).requestCount).toBe(0);
    expect(h.upstream.requests).toHaveLength(0);

    expect((await chat(issued.token)).status).toBe(200);
    expect((await chat(issued.token)).status).toBe(200);
    expect((await chat(issued.token)).status).toBe(429);
    expect((await h.tokenRecord(issued.tokenId)).requestCount).toBe(2);
  });

  it('counts unlimited tokens in memory and writes the count on flush', async () => {
    const issued = await h.issueToken();
    const other = await h.createToken(issued.projectId);
    const statuses = await Promise.all([
      ...Array.from({ length: 25 }, async () => (await chat(issued.token)).status),
      ...Array.from({ length: 5 }, async () => (await chat(other.token)).status),
    ]);
    expect(statuses.every((status) => status === 200)).toBe(true);
    // Refused requests of the same token are not counted.
    expect((await chat(issued.token, { body: chatBody({ model: 'gpt-3.5-turbo' }) })).status).toBe(400);
    const before = await h.tokenRecord(issued.tokenId);
    expect(before.requestCount).toBe(0);
    expect(before.lastUsedAt).toBeNull();

    await h.gateway.requestCounts.flush();
    const record = await h.tokenRecord(issued.tokenId);
    expect(record.requestCount).toBe(25);
    expect(record.lastUsedAt).toBeInstanceOf(Date);
    expect((await h.tokenRecord(other.id)).requestCount).toBe(5);
    expect(h.upstream.requests).toHaveLength(30);
  });

  it('answers an exhausted quota with 429 and x-should-retry: false, so the OpenAI SDK does not retry', async () => {
    const issued = await h.issueToken({ token: { max_requests: 1 } });
    expect((await chat(issued.token)).status).toBe(200);
    const refused = await chat(issued.token);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-should-retry')).toBe('false');
    expect(await errorOf(refused)).toMatchObject({ code: 'rate_limit_exceeded' });

    // The SDK's default retries (2, with backoff) would otherwise send the refused request three times.
    const sdk = new OpenAI({ apiKey: issued.token, baseURL: `${h.url}/v1`, maxRetries: 2, timeout: 20_000 });
    const before = h.gateway.metrics.snapshot().request_count;
    await expect(
      sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    await vi.waitFor(() => {
      expect(h.gateway.metrics.snapshot().request_count - before).toBe(1);
    });
    expect(h.upstream.requests).toHaveLength(1);
  });
});
