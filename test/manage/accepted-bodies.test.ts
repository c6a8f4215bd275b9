import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { AUTH, createProject, createToken, json } from '../helpers/management.js';

/** Requests sent the way curl and simple scripts send them, which the original program accepts. */
describe('management bodies sent without a JSON type, and empty JSON bodies', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(async () => {
    await t.close();
  });

  it("reads JSON sent with curl's default form type (curl -d)", async () => {
    const response = await t.inject({
      method: 'POST',
      url: '/manage/projects',
      headers: { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' },
      payload: JSON.stringify({ name: 'curl-d-project', api_key: 'sk-curl-0123456789' }),
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(json(response).name).toBe('curl-d-project');
    expect((await t.store.projects.list()).map((project) => project.name)).toContain('curl-d-project');
  });

  it('reads JSON sent with no content type at all', async () => {
    const project = await createProject(t, 'untyped-token-project');
    const response = await t.inject({
      method: 'POST',
      url: '/manage/tokens',
      headers: AUTH,
      payload: JSON.stringify({ project_id: project.id, duration_minutes: 5 }),
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(await t.store.tokens.get(json(response).id as string)).toBeDefined();
  });

  it('accepts a token DELETE with an empty body and Content-Type: application/json', async () => {
    const project = await createProject(t, 'empty-delete-project');
    const token = await createToken(t, project.id);
    const response = await t.inject({
      method: 'DELETE',
      url: `/manage/tokens/${token.id}`,
      headers: { ...AUTH, 'content-type': 'application/json', 'content-length': '0' },
      payload: '',
    });
    expect(response.statusCode, response.body).toBe(204);
    expect((await t.store.tokens.get(token.id))?.isActive).toBe(false);
  });

  it('accepts a bulk revoke with an empty body and Content-Type: application/json', async () => {
    const project = await createProject(t, 'empty-revoke-project');
    await createToken(t, project.id);
    const response = await t.inject({
      method: 'POST',
      url: `/manage/projects/${project.id}/tokens/revoke`,
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload: '',
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(json(response)).toMatchObject({ revoked_count: 1 });
  });

  it('accepts the same over a real socket, as curl sends it', async () => {
    const project = await createProject(t, 'socket-revoke-project');
    const token = await createToken(t, project.id);
    const response = await fetch(`${t.url}/manage/tokens/${token.id}`, {
      method: 'DELETE',
      headers: { ...AUTH, 'content-type': 'application/json' },
    });
    expect(response.status, await response.text()).toBe(204);
  });
});
