import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { hashToken } from '../../src/core/index.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { createProject, createToken, json } from '../helpers/management.js';
import { TEST_DIALECTS } from '../helpers/test-store.js';

const TOKEN = /^sk-[A-Za-z0-9_-]{22}$/;
const MASKED = /^sk-[A-Za-z0-9_-]{4}\*{14}[A-Za-z0-9_-]{4}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe.each(TEST_DIALECTS)('tokens API (%s)', (dialect) => {
  let t: TestGateway;
  let projectId: string;
  beforeAll(async () => {
    t = await startTestGateway({ dialect });
    projectId = (await createProject(t, 'token-project')).id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('issues a token with 201, shown once and stored only as its hash (scenario 20)', async () => {
    const before = Date.now();
    const response = await t.manage('POST', '/manage/tokens', {
      project_id: projectId,
      duration_minutes: 60,
    });
    expect(response.statusCode).toBe(201);
    const body = json<{ id: string; token: string; expires_at: string }>(response);
    expect(Object.keys(body).sort()).toEqual(['expires_at', 'id', 'token']);
    expect(body.token).toMatch(TOKEN);
    const expires = Date.parse(body.expires_at);
    expect(expires).toBeGreaterThanOrEqual(before + 60 * 60_000 - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 60 * 60_000 + 1000);

    const stored = await t.store.tokens.get(body.id);
    expect(stored?.tokenHash).toBe(hashToken(body.token));
    expect(stored?.preview).toMatch(MASKED);
    expect(await t.store.tokens.findByHash(hashToken(body.token))).toBeDefined();

    const read = await t.manage('GET', `/manage/tokens/${body.id}`);
    expect(read.body).not.toContain(body.token);
  });

  it('treats max_requests 0 as unlimited (scenario 21)', async () => {
    const response = await t.manage('POST', '/manage/tokens', {
      project_id: projectId,
      duration_minutes: 10,
      max_requests: 0,
    });
    expect(response.statusCode).toBe(201);
    const body = json(response);
    expect(body).not.toHaveProperty('max_requests');
    expect(json(await t.manage('GET', `/manage/tokens/${body.id as string}`)).max_requests).toBeNull();
  });

  it('returns max_requests when the token is limited', async () => {
    const response = await t.manage('POST', '/manage/tokens', {
      project_id: projectId,
      duration_minutes: 10,
      max_requests: 7,
    });
    expect(json(response).max_requests).toBe(7);
  });

  it.each([
    ['scenario 22', (id: string) => ({ project_id: id }), 'project_id and duration_minutes are required'],
    [
      'scenario 23',
      (id: string) => ({ project_id: id, duration_minutes: 525_601 }),
      'duration_minutes exceeds maximum allowed',
    ],
    ['scenario 24', () => ({ duration_minutes: 10 }), 'project_id is required'],
    [
      'scenario 25',
      (id: string) => ({ project_id: id, duration_minutes: 10, max_requests: -1 }),
      'max_requests must be >= 0',
    ],
    [
      'zero duration',
      (id: string) => ({ project_id: id, duration_minutes: 0 }),
      'project_id and duration_minutes are required',
    ],
    ['empty project_id', () => ({ project_id: '', duration_minutes: 10 }), 'project_id is required'],
    [
      'fractional duration',
      (id: string) => ({ project_id: id, duration_minutes: 1.5 }),
      'duration_minutes must be an integer',
    ],
    [
      'string duration',
      (id: string) => ({ project_id: id, duration_minutes: '60' }),
      'duration_minutes must be an integer',
    ],
    [
      'unknown field',
      (id: string) => ({ project_id: id, duration_minutes: 5, scope: 'all' }),
      'unknown field "scope"',
    ],
  ])('rejects a bad token request (%s)', async (_case, body, message) => {
    const countBefore = (await t.store.tokens.list()).length;
    const response = await t.manage('POST', '/manage/tokens', body(projectId));
    expect(response.statusCode).toBe(400);
    expect(json(response)).toEqual({ error: message, code: 'validation_failed' });
    expect((await t.store.tokens.list()).length).toBe(countBefore);
  });

  it('answers 404 for an unknown project and 403 for an inactive one (scenario 26)', async () => {
    const unknown = await t.manage('POST', '/manage/tokens', {
      project_id: UNKNOWN_ID,
      duration_minutes: 10,
    });
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown)).toEqual({ error: 'project not found', code: 'project_not_found' });

    const inactive = await createProject(t, 'inactive-project');
    await t.manage('PATCH', `/manage/projects/${inactive.id}`, { is_active: false });
    const refused = await t.manage('POST', '/manage/tokens', {
      project_id: inactive.id,
      duration_minutes: 10,
    });
    expect(refused.statusCode).toBe(403);
    expect(json(refused)).toEqual({
      error: 'cannot create tokens for inactive projects',
      code: 'project_inactive',
    });
    expect(await t.store.tokens.list({ projectId: inactive.id })).toHaveLength(0);
  });

  it('lists a project’s tokens newest first, masked, by projectId or project_id (scenario 27)', async () => {
    const own = await createProject(t, 'listed-project');
    const first = await createToken(t, own.id);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await createToken(t, own.id);
    for (const query of [`projectId=${own.id}`, `project_id=${own.id}`]) {
      const response = await t.manage('GET', `/manage/tokens?${query}`);
      expect(response.statusCode).toBe(200);
      const list = json<Record<string, unknown>[]>(response);
      expect(list.map((token) => token.id)).toEqual([second.id, first.id]);
      for (const token of list) {
        expect(token.token).toMatch(MASKED);
        expect(token).toHaveProperty('cache_hit_count', 0);
        expect(token).toHaveProperty('deactivated_at', null);
      }
      expect(response.body).not.toContain(first.token);
      expect(response.body).not.toContain(second.token);
    }
    const all = json<{ project_id: string }[]>(await t.manage('GET', '/manage/tokens'));
    expect(new Set(all.map((token) => token.project_id))).toEqual(new Set([projectId, own.id]));
  });

  it('filters active tokens with active_only and refuses conflicting project filters', async () => {
    const own = await createProject(t, 'active-only-project');
    const live = await createToken(t, own.id);
    const revoked = await createToken(t, own.id);
    await t.manage('DELETE', `/manage/tokens/${revoked.id}`);
    const active = json<{ id: string }[]>(
      await t.manage('GET', `/manage/tokens?project_id=${own.id}&active_only=true`),
    );
    expect(active.map((token) => token.id)).toEqual([live.id]);
    const everything = json<{ id: string }[]>(
      await t.manage('GET', `/manage/tokens?project_id=${own.id}&active_only=false`),
    );
    expect(everything).toHaveLength(2);

    const conflict = await t.manage('GET', `/manage/tokens?project_id=${own.id}&projectId=${projectId}`);
    expect(conflict.statusCode).toBe(400);
    const badFlag = await t.manage('GET', '/manage/tokens?active_only=maybe');
    expect(badFlag.statusCode).toBe(400);
    expect(json(badFlag)).toEqual({
      error: 'active_only must be one of: true, false, 1, 0, yes, no',
      code: 'validation_failed',
    });
  });

  it('reads a token by id; unknown → 404, malformed → 400 (scenario 28)', async () => {
    const token = await createToken(t, projectId, { max_requests: 3 });
    const response = await t.manage('GET', `/manage/tokens/${token.id}`);
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({
      id: token.id,
      token: expect.stringMatching(MASKED),
      name: null,
      project_id: projectId,
      expires_at: token.expires_at,
      is_active: true,
      status: 'active',
      deactivated_at: null,
      request_count: 0,
      max_requests: 3,
      created_at: expect.stringMatching(ISO),
      last_used_at: null,
      cache_hit_count: 0,
    });
    const unknown = await t.manage('GET', `/manage/tokens/${UNKNOWN_ID}`);
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown)).toEqual({ error: 'token not found', code: 'token_record_not_found' });
    const malformed = await t.manage('GET', `/manage/tokens/${encodeURIComponent('x y')}`);
    expect(json(malformed)).toEqual({ error: 'invalid token id', code: 'invalid_token_id' });
    // The secret is never a valid lookup key.
    expect((await t.manage('GET', `/manage/tokens/${token.token}`)).statusCode).toBe(404);
  });

  it('updates is_active and max_requests; {} → 400 (scenario 29)', async () => {
    const token = await createToken(t, projectId);
    const empty = await t.manage('PATCH', `/manage/tokens/${token.id}`, {});
    expect(empty.statusCode).toBe(400);
    expect(json(empty)).toEqual({ error: 'no fields to update', code: 'no_fields_to_update' });

    const limited = await t.manage('PATCH', `/manage/tokens/${token.id}`, { max_requests: 5 });
    expect(limited.statusCode).toBe(200);
    expect(json(limited).max_requests).toBe(5);

    const unlimited = await t.manage('PATCH', `/manage/tokens/${token.id}`, { max_requests: 0 });
    expect(json(unlimited).max_requests).toBeNull();

    const off = await t.manage('PATCH', `/manage/tokens/${token.id}`, { is_active: false });
    expect(json(off)).toMatchObject({ is_active: false, deactivated_at: expect.stringMatching(ISO) });
    const on = await t.manage('PATCH', `/manage/tokens/${token.id}`, { is_active: true });
    expect(json(on)).toMatchObject({ is_active: true, deactivated_at: null });

    const negative = await t.manage('PATCH', `/manage/tokens/${token.id}`, { max_requests: -2 });
    expect(json(negative)).toEqual({ error: 'max_requests must be >= 0', code: 'validation_failed' });
    const unknown = await t.manage('PATCH', `/manage/tokens/${UNKNOWN_ID}`, { is_active: false });
    expect(unknown.statusCode).toBe(404);
  });

  it('revokes with 204, idempotently, persisting deactivated_at (scenario 30)', async () => {
    const token = await createToken(t, projectId);
    const first = await t.manage('DELETE', `/manage/tokens/${token.id}`);
    expect(first.statusCode).toBe(204);
    expect(first.body).toBe('');
    const deactivatedAt = (await t.store.tokens.get(token.id))?.deactivatedAt;
    expect(deactivatedAt).toBeInstanceOf(Date);

    const second = await t.manage('DELETE', `/manage/tokens/${token.id}`);
    expect(second.statusCode).toBe(204);
    const after = json(await t.manage('GET', `/manage/tokens/${token.id}`));
    expect(after.is_active).toBe(false);
    expect(after.deactivated_at).toBe(deactivatedAt?.toISOString());

    expect((await t.manage('DELETE', `/manage/tokens/${UNKNOWN_ID}`)).statusCode).toBe(404);
  });
});
