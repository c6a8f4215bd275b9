import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { AUTH, createProject, createToken, json } from '../helpers/management.js';
import { TEST_DIALECTS } from '../helpers/test-store.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe.each(TEST_DIALECTS)('projects API (%s)', (dialect) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ dialect });
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates a project with 201 and never echoes the API key (scenario 10)', async () => {
    const response = await t.manage('POST', '/manage/projects', {
      name: 'P1',
      api_key: 'sk-live-abcdefghijklmnop',
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = json(response);
    expect(body).toEqual({
      id: expect.stringMatching(UUID),
      name: 'P1',
      api_key: 'sk-live-...mnop',
      provider: null,
      cache_post_ttl_seconds: null,
      is_active: true,
      deactivated_at: null,
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
    });
    expect(response.body).not.toContain('abcdefghijklmnop');
    const stored = await t.store.projects.get(body.id as string);
    expect(stored?.apiKey).toBe('sk-live-abcdefghijklmnop');
  });

  it('lets a project name a configured provider and return to the default', async () => {
    const created = await t.manage('POST', '/manage/projects', {
      name: 'Claude team',
      api_key: 'sk-ant-abcdefghijklmnop',
      provider: 'anthropic',
    });
    expect(created.statusCode).toBe(201);
    const id = json(created).id as string;
    expect(json(created).provider).toBe('anthropic');
    const reset = await t.manage('PATCH', `/manage/projects/${id}`, { provider: null });
    expect(json(reset).provider).toBeNull();
    expect((await t.store.projects.get(id))?.provider).toBeNull();
  });

  it('refuses a provider the provider file does not define, writing nothing', async () => {
    const before = (await t.store.projects.list()).length;
    const response = await t.manage('POST', '/manage/projects', {
      name: 'Nowhere',
      api_key: 'sk-abcdefghijklmnop',
      provider: 'nope',
    });
    expect(response.statusCode).toBe(400);
    expect(json(response)).toEqual({
      error: 'unknown provider "nope"; configured: openai, anthropic',
      code: 'unknown_provider',
    });
    expect((await t.store.projects.list()).length).toBe(before);
  });

  it('rejects a create without api_key with the original message (scenario 11)', async () => {
    const response = await t.manage('POST', '/manage/projects', { name: 'P2' });
    expect(response.statusCode).toBe(400);
    expect(json(response)).toEqual({ error: 'name and api_key are required', code: 'validation_failed' });
  });

  it('rejects a body that is not JSON (scenario 12)', async () => {
    const response = await t.inject({
      method: 'POST',
      url: '/manage/projects',
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload: 'not-json',
    });
    expect(response.statusCode).toBe(400);
    expect(json(response)).toEqual({ error: 'invalid request body', code: 'invalid_request_body' });
  });

  it('refuses to save an obfuscated-looking API key (scenario 13)', async () => {
    for (const apiKey of ['sk-abcd...wxyz', 'sk-ab****wxyz']) {
      const response = await t.manage('POST', '/manage/projects', { name: 'P3', api_key: apiKey });
      expect(response.statusCode).toBe(400);
      expect(json(response)).toMatchObject({
        error: expect.stringContaining('cannot save obfuscated API key'),
        code: 'obfuscated_api_key',
      });
    }
    expect((await t.store.projects.list()).some((project) => project.name === 'P3')).toBe(false);
  });

  it('lists projects sorted by name with masked keys (scenario 14)', async () => {
    await createProject(t, 'zz-last', 'sk-zz-0123456789abcdef');
    await createProject(t, 'aa-first', 'short');
    const response = await t.manage('GET', '/manage/projects');
    expect(response.statusCode).toBe(200);
    const list = json<{ name: string; api_key: string }[]>(response);
    const names = list.map((project) => project.name);
    expect(names).toEqual([...names].sort());
    expect(list.find((project) => project.name === 'P1')?.api_key).toBe('sk-live-...mnop');
    expect(list.find((project) => project.name === 'aa-first')?.api_key).toBe('sh***');
    expect(response.body).not.toContain('abcdefghijklmnop');
    expect(response.body).not.toContain('0123456789abcdef');
  });

  it('answers 404 for an unknown project and 400 for a malformed id (scenario 15)', async () => {
    const unknown = await t.manage('GET', '/manage/projects/00000000-0000-4000-8000-000000000000');
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown)).toEqual({ error: 'project not found', code: 'project_not_found' });
    const malformed = await t.manage('GET', `/manage/projects/${encodeURIComponent('bad id;--')}`);
    expect(malformed.statusCode).toBe(400);
    expect(json(malformed)).toEqual({ error: 'invalid project id', code: 'invalid_project_id' });
  });

  it('reads one project with its key masked', async () => {
    const project = await createProject(t, 'read-me', 'sk-proj-readme-secret-value');
    const response = await t.manage('GET', `/manage/projects/${project.id}`);
    expect(response.statusCode).toBe(200);
    expect(json(response)).toMatchObject({ id: project.id, name: 'read-me', api_key: 'sk-proj-...alue' });
  });

  it('refuses revoke_tokens without is_active=false (scenario 16)', async () => {
    const project = await createProject(t, 'revoke-needs-deactivation');
    for (const body of [{ revoke_tokens: true }, { revoke_tokens: true, is_active: true }]) {
      const response = await t.manage('PATCH', `/manage/projects/${project.id}`, body);
      expect(response.statusCode).toBe(400);
      expect(json(response)).toEqual({
        error: 'revoke_tokens requires is_active=false',
        code: 'revoke_tokens_requires_inactive',
      });
    }
    expect((await t.store.projects.get(project.id))?.isActive).toBe(true);
  });

  it('deactivates with deactivated_at and reactivates clearing it (scenario 17)', async () => {
    const project = await createProject(t, 'toggle');
    const off = await t.manage('PATCH', `/manage/projects/${project.id}`, { is_active: false });
    expect(off.statusCode).toBe(200);
    const offBody = json(off);
    expect(offBody.is_active).toBe(false);
    expect(offBody.deactivated_at).toMatch(ISO);
    expect(offBody.api_key).toBe('sk-live-...mnop');

    const again = await t.manage('PATCH', `/manage/projects/${project.id}`, { is_active: false });
    expect(json(again).deactivated_at).toBe(offBody.deactivated_at);

    const on = await t.manage('PATCH', `/manage/projects/${project.id}`, { is_active: true });
    expect(on.statusCode).toBe(200);
    expect(json(on)).toMatchObject({ is_active: true, deactivated_at: null });
  });

  it('renames, rotates the key (masked in the answer) and treats {} as a no-op update', async () => {
    const project = await createProject(t, 'rename-me');
    const response = await t.manage('PATCH', `/manage/projects/${project.id}`, {
      name: 'renamed',
      api_key: 'sk-new-key-0000000000009999',
    });
    expect(response.statusCode).toBe(200);
    expect(json(response)).toMatchObject({ name: 'renamed', api_key: 'sk-new-k...9999' });
    expect(response.body).not.toContain('sk-new-key-0000000000009999');
    expect((await t.store.projects.get(project.id))?.apiKey).toBe('sk-new-key-0000000000009999');

    const empty = await t.manage('PATCH', `/manage/projects/${project.id}`, {});
    expect(empty.statusCode).toBe(200);
    expect(json(empty)).toMatchObject({ name: 'renamed', is_active: true });

    const keepKey = await t.manage('PATCH', `/manage/projects/${project.id}`, { api_key: '' });
    expect(keepKey.statusCode).toBe(200);
    expect((await t.store.projects.get(project.id))?.apiKey).toBe('sk-new-key-0000000000009999');
  });

  it('answers 409 for a duplicate name, on create and on rename', async () => {
    await createProject(t, 'taken-name');
    const other = await createProject(t, 'other-name');
    const create = await t.manage('POST', '/manage/projects', {
      name: 'taken-name',
      api_key: 'sk-xyz-123456789',
    });
    expect(create.statusCode).toBe(409);
    expect(json(create)).toEqual({
      error: 'a project with this name already exists',
      code: 'project_name_taken',
    });
    const rename = await t.manage('PATCH', `/manage/projects/${other.id}`, { name: 'taken-name' });
    expect(rename.statusCode).toBe(409);
    expect((await t.store.projects.get(other.id))?.name).toBe('other-name');
  });

  it('never deletes a project: 405 with Allow (scenario 18)', async () => {
    const project = await createProject(t, 'undeletable');
    const response = await t.manage('DELETE', `/manage/projects/${project.id}`);
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('GET, PATCH');
    expect(json(response)).toEqual({
      error: 'method not allowed',
      code: 'project_delete_not_allowed',
      message: 'project deletion is not permitted',
    });
    expect((await t.manage('GET', `/manage/projects/${project.id}`)).statusCode).toBe(200);
  });

  it('answers 405 for methods a path does not serve (scenario 19)', async () => {
    const project = await createProject(t, 'put-me');
    const response = await t.manage('PUT', `/manage/projects/${project.id}`, { name: 'x' });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('GET, PATCH');
    expect(json(response)).toEqual({ error: 'method not allowed', code: 'method_not_allowed' });
    const onList = await t.manage('DELETE', '/manage/projects');
    expect(onList.statusCode).toBe(405);
    expect(onList.headers.allow).toBe('GET, POST');
  });

  it('bulk-revokes a project’s tokens idempotently (scenario 31)', async () => {
    const project = await createProject(t, 'bulk-revoke');
    const tokens = [
      await createToken(t, project.id),
      await createToken(t, project.id),
      await createToken(t, project.id),
    ];
    expect((await t.manage('DELETE', `/manage/tokens/${tokens[0]!.id}`)).statusCode).toBe(204);

    const first = await t.manage('POST', `/manage/projects/${project.id}/tokens/revoke`);
    expect(first.statusCode).toBe(200);
    expect(json(first)).toEqual({ revoked_count: 2, already_revoked_count: 1, total_tokens: 3 });
    const second = await t.manage('POST', `/manage/projects/${project.id}/tokens/revoke`);
    expect(json(second)).toEqual({ revoked_count: 0, already_revoked_count: 3, total_tokens: 3 });
    for (const token of tokens) {
      const stored = await t.store.tokens.get(token.id);
      expect(stored?.isActive).toBe(false);
      expect(stored?.deactivatedAt).toBeInstanceOf(Date);
    }
    const unknown = await t.manage(
      'POST',
      '/manage/projects/00000000-0000-4000-8000-000000000000/tokens/revoke',
    );
    expect(unknown.statusCode).toBe(404);
  });

  it('deactivates a project and revokes its tokens together (scenario 32)', async () => {
    const project = await createProject(t, 'deactivate-and-revoke');
    const a = await createToken(t, project.id);
    const b = await createToken(t, project.id);
    const response = await t.manage('PATCH', `/manage/projects/${project.id}`, {
      is_active: false,
      revoke_tokens: true,
    });
    expect(response.statusCode).toBe(200);
    expect(json(response).is_active).toBe(false);
    for (const id of [a.id, b.id]) {
      const token = json(await t.manage('GET', `/manage/tokens/${id}`));
      expect(token.is_active).toBe(false);
      expect(token.deactivated_at).toMatch(ISO);
    }
  });

  it('stores names with unicode and SQL metacharacters verbatim', async () => {
    const names = ["Robert'); DROP TABLE projects;--", 'Ünïcødé 项目 🚀', '%_\\ like wildcards'];
    for (const name of names) {
      const created = await createProject(t, name);
      expect(created.name).toBe(name);
      expect(json(await t.manage('GET', `/manage/projects/${created.id}`)).name).toBe(name);
    }
    expect((await t.manage('GET', '/manage/projects')).statusCode).toBe(200);
  });
});
