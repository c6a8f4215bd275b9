import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { sendJson, startFakeUpstream } from '../helpers/fake-upstream.js';
import type { FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import type { IssuedToken } from '../helpers/management.js';
import { rawRequest } from '../helpers/network.js';
import { openAiLikeProvider } from '../helpers/provider-file.js';
import { JSON_HEADERS, chatBody, errorOf } from '../helpers/proxy-requests.js';

const APP = 'https://app.example';
const EVIL = 'https://evil.example';

describe('allowlists and CORS', () => {
  let h: TestGateway;
  let browserUpstream: FakeUpstream;
  let issued: IssuedToken;
  let browserOnly: IssuedToken;
  beforeAll(async () => {
    browserUpstream = await startFakeUpstream();
    h = await startTestGateway({
      openai: { param_whitelist: { model: ['gpt-4o*'] }, allowed_origins: [APP] },
      providers: {
        browser: openAiLikeProvider(browserUpstream.url, {
          allowed_endpoints: ['/v1/chat/completions'],
          required_headers: ['origin'],
        }),
      },
    });
    issued = await h.issueToken();
    browserOnly = await h.issueToken({ provider: 'browser' });
  });
  afterAll(async () => {
    await h.close();
    await browserUpstream.close();
  });
  beforeEach(() => {
    h.upstream.reset();
    browserUpstream.reset();
  });

  const chat = (token: string | undefined, headers: Record<string, string>, body = chatBody()) =>
    h.proxy('/v1/chat/completions', {
      method: 'POST',
      ...(token !== undefined && { token }),
      headers: { ...JSON_HEADERS, ...headers },
      body,
    });

  describe('param_whitelist', () => {
    it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8'])(
      'refuses a model outside the patterns with 400 param_not_allowed (%s)',
      async (contentType) => {
        const response = await chat(
          issued.token,
          { 'content-type': contentType },
          chatBody({ model: 'gpt-3.5-turbo' }),
        );
        expect(response.status).toBe(400);
        const error = await errorOf(response);
        expect(error.code).toBe('param_not_allowed');
        expect(error.message).toContain("'gpt-3.5-turbo'");
        expect(h.upstream.requests).toHaveLength(0);
      },
    );

    it('forwards a model that matches a pattern', async () => {
      const body = chatBody({ model: 'gpt-4o-2024-08-06' });
      const response = await chat(issued.token, {}, body);
      expect(response.status).toBe(200);
      expect(h.upstream.requests[0]?.body.toString()).toBe(body);
    });

    it('refuses a body that is not JSON when a whitelist must be checked', async () => {
      const response = await chat(issued.token, {}, '{"model": "gpt-3.5-turbo",');
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe('invalid_json');
      expect(h.upstream.requests).toHaveLength(0);
    });

    it.each([undefined, 'text/plain'])(
      'checks a JSON body labelled %s like JSON, so mislabelling cannot bypass the whitelist',
      async (contentType) => {
        const response = await h.proxy('/v1/chat/completions', {
          method: 'POST',
          token: issued.token,
          headers: contentType === undefined ? {} : { 'content-type': contentType },
          body: Buffer.from(chatBody({ model: 'gpt-3.5-turbo' })),
        });
        expect(response.status).toBe(400);
        expect((await errorOf(response)).code).toBe('param_not_allowed');
        expect(h.upstream.requests).toHaveLength(0);
      },
    );
  });

  describe('allowed_origins and required_headers', () => {
    it('refuses an origin outside allowed_origins with 403 origin_not_allowed', async () => {
      const response = await chat(issued.token, { origin: EVIL });
      expect(response.status).toBe(403);
      expect(await errorOf(response)).toMatchObject({ code: 'origin_not_allowed', type: 'permission_error' });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(h.upstream.requests).toHaveLength(0);
    });

    it('serves an allowed origin and echoes it in access-control-allow-origin', async () => {
      const response = await chat(issued.token, { origin: APP });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(APP);
      expect(response.headers.get('access-control-expose-headers')).toContain('X-Request-ID');
      expect(response.headers.get('vary')).toContain('Origin');
      expect(h.upstream.requests).toHaveLength(1);
    });

    it("replaces the upstream's own values of the headers the proxy writes, once each", async () => {
      h.upstream.script((_request, res) => {
        sendJson(
          res,
          200,
          { ok: true },
          {
            'x-proxy': 'some-other-proxy',
            'access-control-allow-origin': '*',
            'access-control-expose-headers': 'X-Secret',
            vary: 'Accept-Encoding',
            'x-upstream-request-start': '1',
          },
        );
      });
      const response = await chat(issued.token, { origin: APP });
      expect(response.status).toBe(200);
      // fetch joins repeated headers with ", ": one value each means the header was written once.
      expect(response.headers.get('x-proxy')).toBe('llm-proxy');
      expect(response.headers.get('access-control-allow-origin')).toBe(APP);
      expect(response.headers.get('access-control-expose-headers')).not.toContain('X-Secret');
      expect(response.headers.get('vary')).toBe('Accept-Encoding, Origin');
      expect(response.headers.get('x-upstream-request-start')).toMatch(/^\d{19}$/);
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('serves a request without Origin when the origin is not required', async () => {
      const response = await chat(issued.token, {});
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('refuses a request without Origin with 400 origin_required when required_headers lists origin', async () => {
      const response = await chat(browserOnly.token, {});
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe('origin_required');
      expect(browserUpstream.requests).toHaveLength(0);
      const withOrigin = await chat(browserOnly.token, { origin: EVIL });
      expect(withOrigin.status).toBe(200);
      expect(browserUpstream.requests).toHaveLength(1);
    });

    it('reflects no origin from a provider without allowed_origins, so a browser cannot read the answer', async () => {
      for (const origin of [EVIL, APP]) {
        const response = await chat(browserOnly.token, { origin });
        expect(response.status).toBe(200);
        expect(response.headers.get('access-control-allow-origin')).toBeNull();
        expect(response.headers.get('access-control-expose-headers')).toBeNull();
        expect(response.headers.get('vary')).toContain('Origin');
      }
    });

    it('puts access-control-allow-origin on proxy errors answered to a browser', async () => {
      const response = await chat(undefined, { origin: APP });
      expect(response.status).toBe(401);
      expect(response.headers.get('access-control-allow-origin')).toBe(APP);
      expect((await errorOf(response)).code).toBe('invalid_token');
    });
  });

  describe('preflight', () => {
    it('answers OPTIONS locally with 204 and CORS headers, without a token', async () => {
      const response = await h.proxy('/v1/chat/completions', {
        method: 'OPTIONS',
        headers: {
          origin: APP,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(APP);
      expect(response.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
      expect(response.headers.get('access-control-allow-methods')).toContain('POST');
      expect(response.headers.get('access-control-max-age')).toBe('86400');
      expect(await response.text()).toBe('');
      expect(h.upstream.requests).toHaveLength(0);
      expect(browserUpstream.requests).toHaveLength(0);
    });

    it('answers a preflight 204 without CORS headers where no provider serving the path lists origins', async () => {
      const response = await h.proxy('/v1/chat/completions', {
        method: 'OPTIONS',
        headers: {
          origin: EVIL,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,x-anything',
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('allow')).toContain('POST');
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-allow-headers')).toBeNull();
      expect(response.headers.get('access-control-allow-methods')).toBeNull();
      expect(h.upstream.requests).toHaveLength(0);
      expect(browserUpstream.requests).toHaveLength(0);
    });

    it('refuses a preflight from an origin no provider serving the path allows', async () => {
      const response = await h.proxy('/v1/embeddings', { method: 'OPTIONS', headers: { origin: EVIL } });
      expect(response.status).toBe(403);
      expect((await errorOf(response)).code).toBe('origin_not_allowed');
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('answers a preflight for an unknown path with 404', async () => {
      const response = await h.proxy('/v1/unknown', { method: 'OPTIONS', headers: { origin: APP } });
      expect(response.status).toBe(404);
      expect((await errorOf(response)).code).toBe('endpoint_not_found');
    });
  });

  describe('paths', () => {
    it.each([
      '/v1/models/../../v1/fine_tuning/jobs',
      '/v1/files/../fine_tuning/jobs',
      '/v1/files/%2e%2e/fine_tuning/jobs',
      '/v1/files/%2E%2E%2Ffine_tuning/jobs',
      '/v1/files/./../fine_tuning/jobs',
      '/v1/files/..%5Cfine_tuning/jobs',
      '/v1/files/%252e%252e/fine_tuning/jobs',
      '/v1/files/%25252e%25252e%25252ffine_tuning/jobs',
      '/v1/files/..;/fine_tuning/jobs',
      '/v1/files/..;jsessionid=x/fine_tuning/jobs',
      '/v1/files/%2e%2e%3b/fine_tuning/jobs',
      '/v1/files/abc%00/../../fine_tuning/jobs',
      '/v1/files/abc%00.json',
      '/v1/files/abc%2500',
      '/v1/files/abc%0d%0aX-Injected:%201',
    ])(
      'refuses %s with 404 instead of letting the upstream resolve it outside the allowlist',
      async (path) => {
        const response = await rawRequest(h.url, {
          method: 'GET',
          path,
          headers: { authorization: `Bearer ${issued.token}` },
        });
        expect(response.status).toBe(404);
        expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'endpoint_not_found' } });
        expect(h.upstream.requests).toHaveLength(0);
      },
    );

    it('forwards sub-paths and query strings of an allowed endpoint unchanged', async () => {
      const response = await h.proxy('/v1/models/gpt-4o-mini?x=..&y=%2e', { token: issued.token });
      expect(response.status).toBe(404);
      expect(h.upstream.requests[0]?.url).toBe('/v1/models/gpt-4o-mini?x=..&y=%2e');
    });

    it('forwards a percent-encoded name that holds no dot segment', async () => {
      const path = '/v1/models/ft%3Agpt-4o-mini%3Aacme%3A1.5';
      await h.proxy(path, { token: issued.token });
      expect(h.upstream.requests[0]?.url).toBe(path);
    });
  });
});
