import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sendJson } from '../helpers/fake-upstream.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { json } from '../helpers/management.js';
import { chatBody } from '../helpers/proxy-requests.js';

const OPT_IN = { 'content-type': 'application/json', 'cache-control': 'public, max-age=60' };

describe('response cache: purging what the proxy stored', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
    gateway.upstream.script((request, res) => {
      res.setHeader('cache-control', 'public, max-age=60');
      res.setHeader('vary', 'accept-language');
      sendJson(res, 200, { echo: request.url, body: request.body.toString() });
    });
  });

  afterAll(async () => {
    await gateway.close();
  });

  async function cacheOf(
    token: string,
    path: string,
    body?: string,
    language = 'en',
  ): Promise<string | null> {
    const response = await gateway.proxy(path, {
      token,
      headers: { ...OPT_IN, 'accept-language': language },
      ...(body === undefined ? {} : { method: 'POST', body }),
    });
    await response.text();
    return response.headers.get('x-proxy-cache');
  }

  it('a method and URL purge removes every body and variant stored for it, in every project, and nothing else', async () => {
    const one = await gateway.issueToken();
    const two = await gateway.issueToken();
    for (const token of [one.token, two.token]) {
      expect(await cacheOf(token, '/v1/chat/completions', chatBody({ n: 1 }))).toBe('stored');
      expect(await cacheOf(token, '/v1/chat/completions', chatBody({ n: 2 }))).toBe('stored');
      expect(await cacheOf(token, '/v1/chat/completions', chatBody({ n: 2 }), 'fr')).toBe('stored');
      expect(await cacheOf(token, '/v1/models?b=2&a=1')).toBe('stored');
    }
    const purged = await gateway.manage('POST', '/manage/cache/purge', {
      method: 'POST',
      url: '/v1/chat/completions',
    });
    expect(purged.statusCode).toBe(200);
    // Per project: two primary keys (each a Vary marker) and three variants.
    expect(json(purged)).toEqual({ deleted: 10 });
    for (const token of [one.token, two.token]) {
      expect(await cacheOf(token, '/v1/chat/completions', chatBody({ n: 2 }), 'fr')).toBe('stored');
      expect(await cacheOf(token, '/v1/models?a=1&b=2')).toBe('hit');
    }
  });

  it('a project purge empties that project only', async () => {
    const one = await gateway.issueToken();
    const two = await gateway.issueToken();
    expect(await cacheOf(one.token, '/v1/models')).toBe('stored');
    expect(await cacheOf(two.token, '/v1/models')).toBe('stored');
    const purged = await gateway.manage('POST', '/manage/cache/purge', { project_id: one.projectId });
    expect(json(purged)).toEqual({ deleted: 2 });
    expect(await cacheOf(one.token, '/v1/models')).toBe('stored');
    expect(await cacheOf(two.token, '/v1/models')).toBe('hit');
  });
});
