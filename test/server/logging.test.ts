import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { AUTH, MANAGEMENT_TOKEN, createProject, json } from '../helpers/management.js';
import { TEST_DIALECTS } from '../helpers/test-store.js';

describe.each(TEST_DIALECTS)('logging (%s)', (dialect) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ dialect });
  });
  afterAll(async () => {
    await t.close();
  });

  it('never logs the management token, a created API key or a created token', async () => {
    const apiKey = 'sk-proj-logged-secret-0123456789';
    const project = await createProject(t, 'logging-project', apiKey);
    const created = await t.manage('POST', '/manage/tokens', { project_id: project.id, duration_minutes: 5 });
    const secretToken = json(created).token as string;
    await t.manage('PATCH', `/manage/projects/${project.id}`, { api_key: `${apiKey}-rotated` });
    await t.manage('POST', '/manage/projects', { name: 'logging-project', api_key: `${apiKey}-dup` });
    await t.inject({
      method: 'POST',
      url: '/manage/projects',
      headers: { authorization: `Bearer ${MANAGEMENT_TOKEN}x`, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'n', api_key: apiKey }),
    });
    await t.inject({ method: 'GET', url: '/manage/projects', headers: AUTH });
    await t.gateway.audit.flush();

    const text = t.logs.text;
    expect(t.logs.raw.length).toBeGreaterThan(10);
    expect(text).not.toContain(MANAGEMENT_TOKEN);
    expect(text).not.toContain(apiKey);
    expect(text).not.toContain(secretToken);
  });

  it('puts the request id on every line logged for a request', async () => {
    const first = t.logs.raw.length;
    await t.inject({
      method: 'GET',
      url: '/manage/projects',
      headers: { ...AUTH, 'x-request-id': 'log-req-1' },
    });
    await t.inject({
      method: 'GET',
      url: '/manage/projects/bad%20id',
      headers: { ...AUTH, 'x-request-id': 'log-req-2' },
    });
    const lines = t.logs.entries.slice(first);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) expect(['log-req-1', 'log-req-2']).toContain(line.reqId);
    expect(lines.some((line) => line.msg === 'request rejected' && line.code === 'invalid_project_id')).toBe(
      true,
    );
  });

  it('redacts secret fields even when code logs them by mistake', () => {
    const before = t.logs.raw.length;
    t.gateway.app.log.info(
      {
        headers: { authorization: `Bearer ${MANAGEMENT_TOKEN}` },
        api_key: 'sk-live-oops',
        body: { token: 'x' },
      },
      'careless log line',
    );
    const line = t.logs.raw.slice(before).join('');
    expect(line).toContain('careless log line');
    expect(line).not.toContain(MANAGEMENT_TOKEN);
    expect(line).not.toContain('sk-live-oops');
  });
});
