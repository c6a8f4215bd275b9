import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ManualClock } from '../helpers/clock.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { createProject, createToken, json } from '../helpers/management.js';
import { JSON_HEADERS, chatBody } from '../helpers/proxy-requests.js';
import { TEST_DIALECTS } from '../helpers/test-store.js';

interface TokenJson {
  id: string;
  name: string | null;
  status: string;
  is_active: boolean;
}

describe.each(TEST_DIALECTS)('token names and statuses (%s)', (dialect) => {
  const clock = new ManualClock(new Date('2026-01-10T12:00:00.000Z'));
  let t: TestGateway;
  let projectId: string;
  beforeAll(async () => {
    t = await startTestGateway({ dialect, clock, listen: false });
    projectId = (await createProject(t, 'names-and-status')).id;
  });
  afterAll(async () => {
    await t.close();
  });

  const read = async (id: string): Promise<TokenJson> =>
    json<TokenJson>(await t.manage('GET', `/manage/tokens/${id}`));
  const list = async (query: string): Promise<TokenJson[]> => {
    const response = await t.manage('GET', `/manage/tokens?project_id=${projectId}&${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return json<TokenJson[]>(response);
  };

  it('a token carries the name it was created with, in the creation answer, views and lists', async () => {
    const created = await createToken(t, projectId, { name: 'ci pipeline' });
    expect(created).toMatchObject({ name: 'ci pipeline' });
    expect(await read(created.id)).toMatchObject({ name: 'ci pipeline', status: 'active' });
    expect((await list('')).find((token) => token.id === created.id)?.name).toBe('ci pipeline');

    const unnamed = await createToken(t, projectId);
    expect(unnamed).not.toHaveProperty('name');
    expect((await read(unnamed.id)).name).toBeNull();
  });

  it('renames a token and removes its name with null', async () => {
    const created = await createToken(t, projectId, { name: 'old' });
    const renamed = await t.manage('PATCH', `/manage/tokens/${created.id}`, { name: 'new name' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(json<TokenJson>(renamed).name).toBe('new name');
    expect((await t.tokenRecord(created.id)).name).toBe('new name');
    await t.manage('PATCH', `/manage/tokens/${created.id}`, { name: null });
    expect((await read(created.id)).name).toBeNull();
  });

  it.each([
    ['too long', 'x'.repeat(101), 'name must be at most 100 characters'],
    ['empty', '', 'name must not be empty'],
    ['with control characters', 'evil\u001b[31mname', 'name must not contain control characters'],
  ])('refuses a name that is %s with 400 naming the field', async (_case, name, message) => {
    const response = await t.manage('POST', '/manage/tokens', {
      project_id: projectId,
      duration_minutes: 10,
      name,
    });
    expect(response.statusCode).toBe(400);
    expect(json(response)).toMatchObject({ code: 'validation_failed', error: message });
  });

  it('shows expired, exhausted and revoked tokens as such, and filters the list by status', async () => {
    const project = await createProject(t, 'status-filter');
    const active = await createToken(t, project.id, { duration_minutes: 600 });
    const expiring = await createToken(t, project.id, { duration_minutes: 1 });
    const limited = await createToken(t, project.id, { duration_minutes: 600, max_requests: 1 });
    const revoked = await createToken(t, project.id, { duration_minutes: 600 });
    await t.manage('DELETE', `/manage/tokens/${revoked.id}`);
    const spent = await t.injectProxy('/v1/chat/completions', {
      method: 'POST',
      token: limited.token,
      headers: JSON_HEADERS,
      body: chatBody(),
    });
    expect(spent.status).toBe(200);
    clock.advance(2 * 60_000);

    const byId = async (id: string): Promise<TokenJson> => read(id);
    expect((await byId(active.id)).status).toBe('active');
    expect(await byId(expiring.id)).toMatchObject({ status: 'expired', is_active: true });
    expect(await byId(limited.id)).toMatchObject({ status: 'exhausted', is_active: true });
    expect(await byId(revoked.id)).toMatchObject({ status: 'revoked', is_active: false });

    const ids = async (status: string): Promise<string[]> => {
      const response = await t.manage('GET', `/manage/tokens?project_id=${project.id}&status=${status}`);
      expect(response.statusCode, response.body).toBe(200);
      return json<TokenJson[]>(response).map((token) => token.id);
    };
    expect(await ids('active')).toEqual([active.id]);
    expect(await ids('expired')).toEqual([expiring.id]);
    expect(await ids('exhausted')).toEqual([limited.id]);
    expect(await ids('revoked')).toEqual([revoked.id]);

    const unknown = await t.manage('GET', `/manage/tokens?status=gone`);
    expect(unknown.statusCode).toBe(400);
    expect(json(unknown).error).toBe('status must be one of: revoked, expired, exhausted, active');
  });

  it.each(['1', 'yes', 'true'])('accepts active_only=%s', async (flag) => {
    const project = await createProject(t, `active-only-${flag}`);
    const kept = await createToken(t, project.id);
    const revoked = await createToken(t, project.id);
    await t.manage('DELETE', `/manage/tokens/${revoked.id}`);
    const response = await t.manage('GET', `/manage/tokens?project_id=${project.id}&active_only=${flag}`);
    expect(response.statusCode, response.body).toBe(200);
    expect(json<TokenJson[]>(response).map((token) => token.id)).toEqual([kept.id]);
  });

  it.each(['0', 'no', 'false'])('active_only=%s lists revoked tokens too', async (flag) => {
    const project = await createProject(t, `all-tokens-${flag}`);
    await createToken(t, project.id);
    const revoked = await createToken(t, project.id);
    await t.manage('DELETE', `/manage/tokens/${revoked.id}`);
    const response = await t.manage('GET', `/manage/tokens?project_id=${project.id}&active_only=${flag}`);
    expect(json<TokenJson[]>(response)).toHaveLength(2);
  });

  it('refuses an active_only value it cannot read', async () => {
    const response = await t.manage('GET', '/manage/tokens?active_only=maybe');
    expect(response.statusCode).toBe(400);
    expect(json(response).error).toBe('active_only must be one of: true, false, 1, 0, yes, no');
  });
});
