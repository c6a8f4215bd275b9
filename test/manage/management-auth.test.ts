import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { MANAGEMENT_TOKEN, auditEvents, json } from '../helpers/management.js';
import { TEST_DIALECTS } from '../helpers/test-store.js';

const ROUTES: ['GET' | 'POST' | 'PATCH' | 'DELETE', string][] = [
  ['GET', '/manage/projects'],
  ['POST', '/manage/projects'],
  ['GET', '/manage/projects/p1'],
  ['PATCH', '/manage/projects/p1'],
  ['DELETE', '/manage/projects/p1'],
  ['POST', '/manage/projects/p1/tokens/revoke'],
  ['GET', '/manage/tokens'],
  ['POST', '/manage/tokens'],
  ['GET', '/manage/tokens/t1'],
  ['PATCH', '/manage/tokens/t1'],
  ['DELETE', '/manage/tokens/t1'],
  ['GET', '/manage/audit'],
  ['GET', '/manage/audit/a1'],
];

describe.each(TEST_DIALECTS)('management authentication (%s)', (dialect) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ dialect });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 401 without an Authorization header (scenario 7)', async () => {
    const response = await t.inject({ method: 'GET', url: '/manage/projects' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(json(response)).toEqual({
      error: 'missing or invalid Authorization header',
      code: 'missing_authorization',
    });
  });

  it('answers 401 for a wrong token (scenario 8)', async () => {
    const response = await t.inject({
      method: 'GET',
      url: '/manage/projects',
      headers: { authorization: 'Bearer wrong' },
    });
    expect(response.statusCode).toBe(401);
    expect(json(response)).toEqual({ error: 'invalid management token', code: 'invalid_management_token' });
  });

  it.each([
    ['lower-case scheme (scenario 9)', `bearer ${MANAGEMENT_TOKEN}`],
    ['no scheme', MANAGEMENT_TOKEN],
    ['empty token', 'Bearer '],
    ['Basic scheme', `Basic ${MANAGEMENT_TOKEN}`],
  ])('treats a %s as a missing header', async (_case, header) => {
    const response = await t.inject({
      method: 'GET',
      url: '/manage/projects',
      headers: { authorization: header },
    });
    expect(response.statusCode).toBe(401);
    expect(json(response).error).toBe('missing or invalid Authorization header');
  });

  it.each([
    ['a prefix of the token', MANAGEMENT_TOKEN.slice(0, -1)],
    ['the token with a suffix', `${MANAGEMENT_TOKEN}x`],
    ['the token with a trailing space', `${MANAGEMENT_TOKEN} `],
  ])('rejects %s', async (_case, token) => {
    const response = await t.inject({
      method: 'GET',
      url: '/manage/projects',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.statusCode).toBe(401);
    expect(json(response).code).toBe('invalid_management_token');
  });

  it.each(ROUTES)('protects %s %s', async (method, url) => {
    const response = await t.inject({
      method,
      url,
      ...(method === 'POST' || method === 'PATCH' ? { payload: {} } : {}),
    });
    expect(response.statusCode).toBe(401);
    expect(json(response).code).toBe('missing_authorization');
  });

  it('checks the token before reading the body', async () => {
    const before = (await t.store.projects.list()).length;
    const response = await t.inject({
      method: 'POST',
      url: '/manage/projects',
      headers: { authorization: 'Bearer wrong', 'content-type': 'application/json' },
      payload: '{"name":"sneaky","api_key":"sk-sneaky-0123456789"}',
    });
    expect(response.statusCode).toBe(401);
    expect((await t.store.projects.list()).length).toBe(before);
  });

  it('records refused calls as denied audit events without the presented token', async () => {
    await t.inject({
      method: 'GET',
      url: '/manage/tokens',
      headers: { authorization: 'Bearer guessed-token-value', 'x-forwarded-for': '203.0.113.9, 10.0.0.1' },
    });
    const { events } = await auditEvents(t, 'action=token.list&outcome=denied');
    expect(events[0]).toMatchObject({
      actor: 'management_api',
      outcome: 'denied',
      client_ip: '203.0.113.9',
      reason: 'invalid management token',
    });
    expect(JSON.stringify(events)).not.toContain('guessed-token-value');
    const fileText = JSON.stringify(await t.auditFileLines());
    expect(fileText).not.toContain('guessed-token-value');
    expect(fileText).not.toContain(MANAGEMENT_TOKEN);
  });

  it('serves the OpenAPI document without authentication', async () => {
    const response = await t.inject({ method: 'GET', url: '/manage/openapi.json' });
    expect(response.statusCode).toBe(200);
  });
});
