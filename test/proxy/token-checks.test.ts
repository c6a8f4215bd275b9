import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { ManualClock } from '../helpers/clock.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { JSON_HEADERS, chatBody, errorOf } from '../helpers/proxy-requests.js';

const UNKNOWN_TOKEN = 'sk-AAAAAAAAAAAAAAAAAAAAAA';

describe('token checks on /v1, in order, in the OpenAI error shape', () => {
  let h: TestGateway;
  const clock = new ManualClock();
  beforeAll(async () => {
    h = await startTestGateway({ clock });
  });
  afterAll(async () => {
    await h.close();
  });
  afterEach(() => {
    // Nothing refused may cost an upstream call.
    expect(h.upstream.requests).toHaveLength(0);
    h.upstream.reset();
  });

  const chat = (headers: Record<string, string>) =>
    h.injectProxy('/v1/chat/completions', {
      method: 'POST',
      headers: { ...JSON_HEADERS, ...headers },
      body: chatBody(),
    });

  it('refuses a request without Authorization: 401 invalid_token', async () => {
    const response = await chat({});
    expect(response.status).toBe(401);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      error: {
        message: 'missing or invalid authorization header',
        type: 'authentication_error',
        param: null,
        code: 'invalid_token',
      },
    });
  });

  it('refuses a non-Bearer scheme: 401 invalid_token', async () => {
    const response = await chat({ authorization: 'Basic dXNlcjpwYXNz' });
    expect(response.status).toBe(401);
    expect((await errorOf(response)).code).toBe('invalid_token');
  });

  it('refuses a malformed token before any lookup: 401 invalid_token, "invalid token format…"', async () => {
    const response = await chat({ authorization: 'Bearer not-a-token' });
    expect(response.status).toBe(401);
    const error = await errorOf(response);
    expect(error.code).toBe('invalid_token');
    expect(error.message).toMatch(/^invalid token format/);
  });

  it('refuses a well-formed unknown token: 401 token_not_found', async () => {
    const response = await chat({ authorization: `Bearer ${UNKNOWN_TOKEN}` });
    expect(response.status).toBe(401);
    expect(await errorOf(response)).toMatchObject({ code: 'token_not_found', type: 'authentication_error' });
  });

  it('refuses a revoked token: 401 token_inactive', async () => {
    const issued = await h.issueToken();
    expect((await h.manage('DELETE', `/manage/tokens/${issued.tokenId}`)).statusCode).toBe(204);
    const response = await chat({ authorization: `Bearer ${issued.token}` });
    expect(response.status).toBe(401);
    expect((await errorOf(response)).code).toBe('token_inactive');
  });

  it('refuses an expired token: 401 token_expired (and a revoked expired one as inactive)', async () => {
    const expiring = await h.issueToken({ token: { duration_minutes: 1 } });
    const revoked = await h.createToken(expiring.projectId, { duration_minutes: 1 });
    await h.manage('DELETE', `/manage/tokens/${revoked.id}`);
    clock.advance(61_000);
    const response = await chat({ authorization: `bearer ${expiring.token}` });
    expect(response.status).toBe(401);
    expect((await errorOf(response)).code).toBe('token_expired');
    const both = await chat({ authorization: `Bearer ${revoked.token}` });
    expect((await errorOf(both)).code).toBe('token_inactive');
  });

  it('accepts the Bearer scheme in any case', async () => {
    const issued = await h.issueToken();
    const response = await chat({ authorization: `bEaReR ${issued.token}` });
    expect(response.status).toBe(200);
    expect(h.upstream.requests).toHaveLength(1);
    h.upstream.reset();
  });

  it('answers 404 endpoint_not_found for a path no provider serves, before looking at the token', async () => {
    const issued = await h.issueToken();
    const variants: Record<string, string>[] = [
      {},
      { authorization: 'Bearer not-a-token' },
      { authorization: `Bearer ${issued.token}` },
    ];
    for (const headers of variants) {
      for (const path of ['/v1/not-allowed', '/v1', '/v1?x=1']) {
        const response = await h.injectProxy(path, { headers });
        expect(response.status).toBe(404);
        expect((await errorOf(response)).code).toBe('endpoint_not_found');
      }
      const response = await h.injectProxy('/v1/not-allowed', { headers });
      expect(response.status).toBe(404);
      expect(await errorOf(response)).toMatchObject({
        code: 'endpoint_not_found',
        type: 'invalid_request_error',
      });
    }
  });

  it('answers 405 method_not_allowed for a method the allowlist lacks, before looking at the token', async () => {
    const issued = await h.issueToken();
    const variants: Record<string, string>[] = [{}, { authorization: `Bearer ${issued.token}` }];
    for (const headers of variants) {
      const response = await h.injectProxy('/v1/chat/completions', {
        method: 'PUT',
        headers: { ...JSON_HEADERS, ...headers },
        body: chatBody(),
      });
      expect(response.status).toBe(405);
      expect((await errorOf(response)).code).toBe('method_not_allowed');
    }
  });

  it('puts the request id and x-proxy on refusals', async () => {
    const response = await chat({});
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-proxy')).toBe('llm-proxy');
  });
});
