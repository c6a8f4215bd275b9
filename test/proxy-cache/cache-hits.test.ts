import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { sendJson } from '../helpers/fake-upstream.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { chatBody } from '../helpers/proxy-requests.js';

/** The same JSON value with every object's keys in reverse order. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .reverse()
      .map(([name, inner]) => [name, reversedKeys(inner)]),
  );
}

const OPT_IN = { 'content-type': 'application/json', 'cache-control': 'public, max-age=60' };

describe('response cache: hits through the front door', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });

  afterAll(async () => {
    await gateway.close();
  });

  afterEach(() => {
    gateway.upstream.reset();
  });

  it('a second identical opted-in request is answered from the cache, with a fresh request id and its age', async () => {
    const { token } = await gateway.issueToken();
    const first = await gateway.proxy('/v1/chat/completions', {
      method: 'POST',
      token,
      headers: OPT_IN,
      body: chatBody(),
    });
    const firstBody = await first.text();
    expect(first.status).toBe(200);
    expect(first.headers.get('x-proxy-cache')).toBe('stored');
    expect(first.headers.get('cache-status')).toBe('llm-proxy; fwd=uri-miss; stored; ttl=60');

    // Key order and whitespace of the JSON body do not matter.
    const reordered = JSON.stringify(reversedKeys(JSON.parse(chatBody())), null, 2);
    const second = await gateway.proxy('/v1/chat/completions', {
      method: 'POST',
      token,
      headers: OPT_IN,
      body: reordered,
    });
    expect(second.status).toBe(200);
    expect(await second.text()).toBe(firstBody);
    expect(second.headers.get('x-proxy-cache')).toBe('hit');
    expect(second.headers.get('cache-status')).toMatch(/^llm-proxy; hit; ttl=(59|60)$/);
    expect(second.headers.get('age')).toMatch(/^[01]$/);
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(second.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
    expect(second.headers.get('x-upstream-request-start')).toBeNull();
    expect(gateway.upstream.requests).toHaveLength(1);
  });

  it('the official OpenAI SDK gets the cached completion on its second call', async () => {
    const { token } = await gateway.issueToken();
    const client = gateway.openai(token);
    const ask = () =>
      client.chat.completions
        .create(
          { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'cache me' }] },
          { headers: { 'Cache-Control': 'public, max-age=300' } },
        )
        .withResponse();
    const first = await ask();
    const second = await ask();
    expect(second.data).toEqual(first.data);
    expect(first.response.headers.get('x-proxy-cache')).toBe('stored');
    expect(second.response.headers.get('x-proxy-cache')).toBe('hit');
    expect(gateway.upstream.requests).toHaveLength(1);
  });

  it('a request without an opt-in is not cached, and says so', async () => {
    const { token } = await gateway.issueToken();
    for (let round = 0; round < 2; round += 1) {
      const response = await gateway.proxy('/v1/chat/completions', {
        method: 'POST',
        token,
        headers: { 'content-type': 'application/json' },
        body: chatBody(),
      });
      await response.text();
      expect(response.headers.get('x-proxy-cache')).toBe('bypass');
      expect(response.headers.get('cache-status')).toBe('llm-proxy; fwd=bypass; detail=no-opt-in');
    }
    expect(gateway.upstream.requests).toHaveLength(2);
  });

  it("two projects sending identical requests never see each other's answers", async () => {
    const one = await gateway.issueToken();
    const two = await gateway.issueToken();
    gateway.upstream.script((request, res) => {
      sendJson(res, 200, { answer_for: request.headers.authorization });
    });
    const ask = async (token: string) => {
      const response = await gateway.proxy('/v1/chat/completions', {
        method: 'POST',
        token,
        headers: OPT_IN,
        body: chatBody(),
      });
      return {
        cache: response.headers.get('x-proxy-cache'),
        body: (await response.json()) as { answer_for: string },
      };
    };
    const firstOfOne = await ask(one.token);
    const firstOfTwo = await ask(two.token);
    const againOne = await ask(one.token);
    const againTwo = await ask(two.token);
    expect([firstOfOne.cache, firstOfTwo.cache, againOne.cache, againTwo.cache]).toEqual([
      'stored',
      'stored',
      'hit',
      'hit',
    ]);
    expect(againOne.body.answer_for).toBe(`Bearer ${one.apiKey}`);
    expect(againTwo.body.answer_for).toBe(`Bearer ${two.apiKey}`);
    expect(gateway.upstream.requests).toHaveLength(2);
  });

  it('a hit still needs a valid token: a revoked one is refused although its answer is cached', async () => {
    const issued = await gateway.issueToken();
    const ask = () =>
      gateway.proxy('/v1/chat/completions', {
        method: 'POST',
        token: issued.token,
        headers: OPT_IN,
        body: chatBody(),
      });
    expect((await ask()).status).toBe(200);
    expect((await gateway.manage('DELETE', `/manage/tokens/${issued.tokenId}`)).statusCode).toBe(204);
    const refused = await ask();
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-proxy-cache')).toBe('bypass');
    expect(gateway.upstream.requests).toHaveLength(1);
  });

  it("hits do not spend max_requests and are counted in the token's cache_hit_count", async () => {
    const issued = await gateway.issueToken({ token: { max_requests: 2 } });
    for (let round = 0; round < 5; round += 1) {
      const response = await gateway.proxy('/v1/chat/completions', {
        method: 'POST',
        token: issued.token,
        headers: OPT_IN,
        body: chatBody({ round: 'same' }),
      });
      expect(response.status).toBe(200);
      await response.text();
    }
    await gateway.gateway.requestCounts.flush();
    const record = await gateway.tokenRecord(issued.tokenId);
    expect(record.requestCount).toBe(1);
    expect(record.cacheHitCount).toBe(4);
    expect(gateway.upstream.requests).toHaveLength(1);
  });

  it("a project's POST TTL caches without any client change, and the client's no-store and no-cache still win", async () => {
    const issued = await gateway.issueToken();
    const updated = await gateway.manage('PATCH', `/manage/projects/${issued.projectId}`, {
      cache_post_ttl_seconds: 120,
    });
    expect(updated.statusCode).toBe(200);
    const ask = async (cacheControl?: string) => {
      const response = await gateway.proxy('/v1/chat/completions', {
        method: 'POST',
        token: issued.token,
        headers: {
          'content-type': 'application/json',
          ...(cacheControl === undefined ? {} : { 'cache-control': cacheControl }),
        },
        body: chatBody(),
      });
      await response.text();
      return [response.headers.get('x-proxy-cache'), response.headers.get('cache-status')];
    };
    expect(await ask()).toEqual(['stored', 'llm-proxy; fwd=uri-miss; stored; ttl=120']);
    expect((await ask())[0]).toBe('hit');
    expect(await ask('no-store')).toEqual(['bypass', 'llm-proxy; fwd=bypass; detail=no-store']);
    expect(await ask('no-cache')).toEqual(['stored', 'llm-proxy; fwd=request; stored; ttl=120']);
    expect(gateway.upstream.requests).toHaveLength(3);
  });

  it('a GET is cached when the upstream says public, and never when it says private', async () => {
    const { token } = await gateway.issueToken();
    let cacheControl = 'public, max-age=30';
    gateway.upstream.script((_request, res) => {
      res.setHeader('cache-control', cacheControl);
      res.setHeader('set-cookie', 'session=upstream-secret');
      sendJson(res, 200, { object: 'list', data: [] });
    });
    const get = async (path = '/v1/models') => {
      const response = await gateway.proxy(path, { token });
      await response.text();
      return response;
    };
    expect((await get()).headers.get('x-proxy-cache')).toBe('stored');
    const hit = await get();
    expect(hit.headers.get('x-proxy-cache')).toBe('hit');
    expect(hit.headers.get('set-cookie')).toBeNull();
    expect(hit.headers.get('cache-control')).toBe('public, max-age=30');
    cacheControl = 'private, max-age=30';
    const privateAnswer = await get('/v1/models?fresh=1');
    expect(privateAnswer.headers.get('cache-status')).toBe('llm-proxy; fwd=uri-miss; detail=private');
    expect((await get('/v1/models?fresh=1')).headers.get('x-proxy-cache')).toBe('miss');
    expect(gateway.upstream.requests).toHaveLength(3);
  });

  it('a conditional GET gets a 304 from the cache; only-if-cached gets 504 when nothing is stored', async () => {
    const { token } = await gateway.issueToken();
    gateway.upstream.script((_request, res) => {
      res.setHeader('cache-control', 'public, max-age=30');
      res.setHeader('etag', '"models-v1"');
      sendJson(res, 200, { object: 'list', data: [] });
    });
    const missing = await gateway.proxy('/v1/models?conditional=1', {
      token,
      headers: { 'cache-control': 'only-if-cached' },
    });
    expect(missing.status).toBe(504);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_cached');
    expect(gateway.upstream.requests).toHaveLength(0);
    await (await gateway.proxy('/v1/models?conditional=1', { token })).text();
    // fetch itself adds `Cache-Control: no-cache` to a conditional request: inject it as written instead.
    const conditional = await gateway.injectProxy('/v1/models?conditional=1', {
      token,
      headers: { 'if-none-match': 'W/"models-v1"' },
    });
    expect(conditional.status).toBe(304);
    expect(conditional.headers.get('x-proxy-cache')).toBe('conditional-hit');
    expect(conditional.headers.get('etag')).toBe('"models-v1"');
    const onlyCached = await gateway.proxy('/v1/models?conditional=1', {
      token,
      headers: { 'cache-control': 'only-if-cached' },
    });
    expect(onlyCached.status).toBe(200);
    expect(onlyCached.headers.get('x-proxy-cache')).toBe('hit');
    expect(gateway.upstream.requests).toHaveLength(1);
  });

  it('revalidation: no-cache asks the upstream with the stored validators and a 304 serves the stored body', async () => {
    const { token } = await gateway.issueToken();
    gateway.upstream.script((request, res) => {
      if (request.headers['if-none-match'] === '"v7"') {
        res.writeHead(304, { etag: '"v7"', 'cache-control': 'public, max-age=30' });
        res.end();
        return;
      }
      res.setHeader('cache-control', 'public, max-age=30');
      res.setHeader('etag', '"v7"');
      sendJson(res, 200, { object: 'list', data: [{ id: 'stored-model' }] });
    });
    await (await gateway.proxy('/v1/models?revalidate=1', { token })).text();
    const revalidated = await gateway.proxy('/v1/models?revalidate=1', {
      token,
      headers: { 'cache-control': 'no-cache' },
    });
    expect(revalidated.status).toBe(200);
    expect(revalidated.headers.get('x-proxy-cache')).toBe('hit');
    expect(revalidated.headers.get('cache-status')).toMatch(/^llm-proxy; fwd=request; fwd-status=304/);
    expect(((await revalidated.json()) as { data: { id: string }[] }).data[0]?.id).toBe('stored-model');
    expect(gateway.upstream.requests).toHaveLength(2);
    expect(gateway.upstream.requests[1]?.headers['if-none-match']).toBe('"v7"');
  });

  it('a browser at an allowed origin can hit, and gets the CORS headers of its own request', async () => {
    const browserGateway = await startTestGateway({
      openai: { allowed_origins: ['https://app.example', 'https://other.example'] },
    });
    try {
      const { token } = await browserGateway.issueToken();
      const ask = (origin: string) =>
        browserGateway.proxy('/v1/chat/completions', {
          method: 'POST',
          token,
          headers: { ...OPT_IN, origin },
          body: chatBody(),
        });
      const first = await ask('https://app.example');
      await first.text();
      const second = await ask('https://other.example');
      await second.text();
      expect(second.headers.get('x-proxy-cache')).toBe('hit');
      expect(second.headers.get('access-control-allow-origin')).toBe('https://other.example');
      expect(browserGateway.upstream.requests).toHaveLength(1);
    } finally {
      await browserGateway.close();
    }
  });

  it('the metrics count hits, misses, stores and bypasses', async () => {
    const metricsGateway = await startTestGateway();
    try {
      const { token } = await metricsGateway.issueToken();
      const send = async (headers: Record<string, string>) => {
        const response = await metricsGateway.proxy('/v1/chat/completions', {
          method: 'POST',
          token,
          headers,
          body: chatBody(),
        });
        await response.text();
      };
      await send(OPT_IN);
      await send(OPT_IN);
      await send(OPT_IN);
      await send({ 'content-type': 'application/json' });
      const snapshot = (await metricsGateway.inject({ method: 'GET', url: '/metrics' })).json<
        Record<string, number>
      >();
      expect(snapshot).toMatchObject({ cache_hits: 2, cache_misses: 1, cache_stores: 1, cache_bypass: 1 });
      const text = (await metricsGateway.inject({ method: 'GET', url: '/metrics/prometheus' })).body;
      expect(text).toMatch(/^llm_proxy_cache_hits_total 2$/m);
      expect(text).toMatch(/^llm_proxy_cache_stores_total 1$/m);
      expect(text).toMatch(/^llm_proxy_cache_entries 1$/m);
    } finally {
      await metricsGateway.close();
    }
  });
});
