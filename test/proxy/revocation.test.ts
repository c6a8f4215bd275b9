import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { json } from '../helpers/management.js';
import { JSON_HEADERS, chatBody, errorOf } from '../helpers/proxy-requests.js';
import { TEST_DIALECTS } from '../helpers/test-store.js';

describe.each(TEST_DIALECTS)('management changes take effect on the very next request (%s)', (dialect) => {
  let h: TestGateway;
  beforeAll(async () => {
    h = await startTestGateway({ dialect });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.upstream.reset();
  });

  const chat = (token: string) =>
    h.injectProxy('/v1/chat/completions', { method: 'POST', token, headers: JSON_HEADERS, body: chatBody() });

  /** A successful request, which leaves the token and its project in the proxy's cache. */
  const warm = async (token: string): Promise<void> => {
    const response = await chat(token);
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  };

  it('refuses a cached unlimited token right after DELETE /manage/tokens/{id}', async () => {
    const issued = await h.issueToken();
    await warm(issued.token);
    await warm(issued.token);
    expect((await h.manage('DELETE', `/manage/tokens/${issued.tokenId}`)).statusCode).toBe(204);
    const response = await chat(issued.token);
    expect(response.status).toBe(401);
    expect((await errorOf(response)).code).toBe('token_inactive');
    expect(h.upstream.requests).toHaveLength(2);
  });

  it('refuses a cached token right after PATCH /manage/tokens/{id} is_active=false, and accepts it again after re-activation', async () => {
    const issued = await h.issueToken();
    await warm(issued.token);
    expect(
      (await h.manage('PATCH', `/manage/tokens/${issued.tokenId}`, { is_active: false })).statusCode,
    ).toBe(200);
    expect((await errorOf(await chat(issued.token))).code).toBe('token_inactive');
    expect(
      (await h.manage('PATCH', `/manage/tokens/${issued.tokenId}`, { is_active: true })).statusCode,
    ).toBe(200);
    await warm(issued.token);
    expect(h.upstream.requests).toHaveLength(2);
  });

  it('applies a lowered max_requests to a cached token at once', async () => {
    const issued = await h.issueToken();
    await warm(issued.token);
    await warm(issued.token);
    await h.gateway.requestCounts.flush();
    expect(
      (await h.manage('PATCH', `/manage/tokens/${issued.tokenId}`, { max_requests: 2 })).statusCode,
    ).toBe(200);
    const response = await chat(issued.token);
    expect(response.status).toBe(429);
    expect((await errorOf(response)).code).toBe('rate_limit_exceeded');
    expect(h.upstream.requests).toHaveLength(2);
  });

  it('refuses the tokens of a deactivated project with 403 project_inactive until it is reactivated', async () => {
    const issued = await h.issueToken();
    await warm(issued.token);
    const patched = await h.manage('PATCH', `/manage/projects/${issued.projectId}`, { is_active: false });
    expect(patched.statusCode).toBe(200);
    const refused = await chat(issued.token);
    expect(refused.status).toBe(403);
    expect(await errorOf(refused)).toMatchObject({ code: 'project_inactive', type: 'permission_error' });
    expect(h.upstream.requests).toHaveLength(1);

    expect(
      (await h.manage('PATCH', `/manage/projects/${issued.projectId}`, { is_active: true })).statusCode,
    ).toBe(200);
    await warm(issued.token);
    expect(h.upstream.requests).toHaveLength(2);
  });

  it('refuses every cached token of a project after POST /manage/projects/{id}/tokens/revoke', async () => {
    const issued = await h.issueToken();
    const second = await h.createToken(issued.projectId);
    const limited = await h.createToken(issued.projectId, { max_requests: 100 });
    for (const token of [issued.token, second.token, limited.token]) await warm(token);
    const revoked = await h.manage('POST', `/manage/projects/${issued.projectId}/tokens/revoke`);
    expect(revoked.statusCode).toBe(200);
    expect(json(revoked)).toMatchObject({ revoked_count: 3 });
    for (const token of [issued.token, second.token, limited.token]) {
      const response = await chat(token);
      expect(response.status).toBe(401);
      expect((await errorOf(response)).code).toBe('token_inactive');
    }
    expect(h.upstream.requests).toHaveLength(3);
  });

  it('refuses cached tokens after deactivating the project with revoke_tokens', async () => {
    const issued = await h.issueToken();
    await warm(issued.token);
    const patched = await h.manage('PATCH', `/manage/projects/${issued.projectId}`, {
      is_active: false,
      revoke_tokens: true,
    });
    expect(patched.statusCode).toBe(200);
    const response = await chat(issued.token);
    expect(response.status).toBe(401);
    expect((await errorOf(response)).code).toBe('token_inactive');
    expect((await h.tokenRecord(issued.tokenId)).isActive).toBe(false);
  });
});
