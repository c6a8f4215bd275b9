import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { normaliseRequestUrl } from '../../src/cache/cache-key.js';
import type { CacheStore } from '../../src/cache/cache-store.js';
import { SHARED_SCOPE } from '../../src/cache/cached-response.js';
import { keysHeld, storeEntries } from '../helpers/cache-entries.js';
import type { TestEntry } from '../helpers/cache-entries.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { AUTH, auditEvents, createProject, json } from '../helpers/management.js';

const MODELS = '/v1/models';
const CHAT = '/v1/chat/completions';

function storeOf(t: TestGateway): CacheStore {
  const cache = t.gateway.responseCache;
  if (cache === undefined) throw new Error('the test gateway has no response cache');
  return cache.store;
}

async function lastPurgeEvent(
  t: TestGateway,
): Promise<{ event: Record<string, unknown>; details: Record<string, unknown> }> {
  const { events } = await auditEvents(t, 'action=cache.purge&page_size=1');
  const event = events[0] ?? {};
  return { event, details: JSON.parse(String(event.metadata)) as Record<string, unknown> };
}

describe('POST /manage/cache/purge', () => {
  let t: TestGateway;
  let a: string;
  let b: string;
  /** Every key written for each entry name, to check exactly what a purge left. */
  let keys: Record<string, string[]>;

  beforeAll(async () => {
    t = await startTestGateway({ listen: false });
    a = (await createProject(t, 'purge-a')).id;
    b = (await createProject(t, 'purge-b')).id;
  });
  afterAll(async () => {
    await t.close();
  });

  beforeEach(async () => {
    const store = storeOf(t);
    await store.purge({ kind: 'all' });
    const entries: Record<string, TestEntry> = {
      aModels: { scope: a, method: 'GET', url: MODELS, bodyHash: 'n0' },
      aModelsVaried: { scope: a, method: 'GET', url: MODELS, bodyHash: 'none', variant: 'f00d' },
      aModelsQuery: { scope: a, method: 'GET', url: normaliseRequestUrl('/v1/models?b=2&a=1') },
      aModelsLonger: { scope: a, method: 'GET', url: '/v1/modelsx' },
      aChatOne: { scope: a, method: 'POST', url: CHAT, bodyHash: 'a1' },
      aChatTwo: { scope: a, method: 'POST', url: CHAT, bodyHash: 'a2', variant: 'beef' },
      bModels: { scope: b, method: 'GET', url: MODELS, bodyHash: 'b0' },
      bChat: { scope: b, method: 'POST', url: CHAT, bodyHash: 'b1' },
    };
    keys = {};
    for (const [name, entry] of Object.entries(entries)) keys[name] = await storeEntries(store, [entry]);
  });

  /** The names of the entries whose keys are all still held. */
  async function remaining(): Promise<string[]> {
    const names: string[] = [];
    for (const [name, written] of Object.entries(keys)) {
      if ((await keysHeld(storeOf(t), written)).length === written.length) names.push(name);
    }
    return names.sort();
  }

  const purge = async (body: unknown) => t.manage('POST', '/manage/cache/purge', body);

  it('purges every variant of one method and URL, in every project (bodies and Vary included)', async () => {
    const response = await purge({ method: 'GET', url: MODELS });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    // aModelsVaried is a marker plus its variant: 2 keys.
    expect(json(response)).toEqual({ deleted: 4 });
    expect(await remaining()).toEqual(['aChatOne', 'aChatTwo', 'aModelsLonger', 'aModelsQuery', 'bChat']);
    const { event, details } = await lastPurgeEvent(t);
    expect(event).toMatchObject({ action: 'cache.purge', outcome: 'success', actor: 'management_api' });
    expect(details).toMatchObject({ purge_type: 'exact', method: 'GET', url: MODELS, deleted: 4 });
  });

  it('purges every request body of a POST URL, narrowed to one project by project_id', async () => {
    const response = await purge({ method: 'post', url: CHAT, project_id: a });
    expect(json(response)).toEqual({ deleted: 3 });
    expect(await remaining()).not.toContain('aChatOne');
    expect(await remaining()).toContain('bChat');
    const { event, details } = await lastPurgeEvent(t);
    expect(event.project_id).toBe(a);
    expect(details).toMatchObject({
      purge_type: 'exact',
      method: 'POST',
      url: CHAT,
      project_id: a,
      deleted: 3,
    });
  });

  it('normalises the URL as keys are written: query order, and only the path and query of an absolute URL', async () => {
    expect(
      json(await purge({ method: 'GET', url: 'https://api.example.com/v1/models?a=1&b=2#top' })),
    ).toEqual({
      deleted: 1,
    });
    expect(await remaining()).not.toContain('aModelsQuery');
    expect(json(await purge({ method: 'GET', url: '/v1/models?b=2&a=1' }))).toEqual({ deleted: 0 });
    expect((await lastPurgeEvent(t)).details).toMatchObject({ url: '/v1/models?a=1&b=2', deleted: 0 });
  });

  it('purges by URL path prefix, in every project or in one', async () => {
    expect(json(await purge({ prefix: '/v1/models', project_id: b }))).toEqual({ deleted: 1 });
    expect(await remaining()).not.toContain('bModels');
    expect(json(await purge({ prefix: '/v1/models' }))).toEqual({ deleted: 5 });
    expect(await remaining()).toEqual(['aChatOne', 'aChatTwo', 'bChat']);
    expect((await lastPurgeEvent(t)).details).toMatchObject({
      purge_type: 'prefix',
      prefix: '/v1/models',
      deleted: 5,
    });
  });

  it("reads the original's body with method, url and prefix as a prefix purge", async () => {
    expect(json(await purge({ method: 'GET', url: '/v1/models', prefix: '/v1/chat' }))).toEqual({
      deleted: 4,
    });
    expect(await remaining()).toEqual([
      'aModels',
      'aModelsLonger',
      'aModelsQuery',
      'aModelsVaried',
      'bModels',
    ]);
  });

  it('purges everything of one project with project_id alone', async () => {
    expect(json(await purge({ project_id: a }))).toEqual({ deleted: 8 });
    expect(await remaining()).toEqual(['bChat', 'bModels']);
    expect((await lastPurgeEvent(t)).details).toMatchObject({
      purge_type: 'project',
      project_id: a,
      deleted: 8,
    });
  });

  it('purges everything with "all": true', async () => {
    expect(json(await purge({ all: true }))).toEqual({ deleted: 10 });
    expect(await remaining()).toEqual([]);
    expect(await storeOf(t).stats()).toMatchObject({ entries: 0 });
    expect((await lastPurgeEvent(t)).details).toMatchObject({ purge_type: 'all', deleted: 10 });
  });

  it.each([
    [{}, 'method and url are required (or prefix, project_id alone, or "all": true)', 'missing_fields'],
    [{ method: 'GET' }, 'method and url are required', 'missing_fields'],
    [{ url: MODELS }, 'method and url are required', 'missing_fields'],
    [{ all: false }, 'all must be true', 'conflicting_fields'],
    [{ all: true, prefix: '/v1' }, 'all purges everything: give it alone', 'conflicting_fields'],
    [{ method: 'G ET', url: MODELS }, 'method must be an HTTP method such as GET or POST', 'invalid_method'],
    [{ method: 'GET', url: 'v1/models' }, 'invalid URL', 'invalid_url'],
    [{ method: 'GET', url: 'ftp://host/v1/models' }, 'invalid URL', 'invalid_url'],
    [{ method: 'GET', url: '/v1/mo dels' }, 'invalid URL', 'invalid_url'],
    [{ method: 'GET', url: 'https://' }, 'invalid URL', 'invalid_url'],
    [{ prefix: 'v1' }, 'prefix must be a URL path starting with /', 'invalid_prefix'],
    [{ prefix: '/v1\n' }, 'prefix must be a URL path starting with /', 'invalid_prefix'],
  ])('refuses %j with 400, deleting nothing', async (body, message, reason) => {
    const response = await purge(body);
    expect(response.statusCode).toBe(400);
    expect(json(response)).toEqual({ error: message, code: 'validation_failed' });
    expect(await remaining()).toHaveLength(8);
    const { event, details } = await lastPurgeEvent(t);
    expect(event.outcome).toBe('failure');
    expect(details.reason).toBe(reason);
  });

  it('refuses unknown fields, wrong types and a body that is not JSON', async () => {
    for (const body of [{ method: 'GET', url: MODELS, cache_key: 'x' }, { all: 'yes' }, { prefix: 7 }]) {
      const response = await purge(body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(json(response).code).toBe('validation_failed');
      expect((await lastPurgeEvent(t)).details.reason).toBe('invalid_body');
    }
    const response = await t.inject({
      method: 'POST',
      url: '/manage/cache/purge',
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload: '{"method": "GET",',
    });
    expect(response.statusCode).toBe(400);
    expect(json(response).code).toBe('invalid_request_body');
    expect((await lastPurgeEvent(t)).details.reason).toBe('invalid_json');
    expect(await remaining()).toHaveLength(8);
  });

  it('answers 400 for a malformed project id and 404 for an unknown project', async () => {
    const malformed = await purge({ project_id: '../etc' });
    expect(malformed.statusCode).toBe(400);
    expect(json(malformed).code).toBe('invalid_project_id');
    const unknown = await purge({ prefix: '/v1', project_id: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown)).toEqual({ error: 'project not found', code: 'project_not_found' });
    expect((await lastPurgeEvent(t)).details.reason).toBe('project_not_found');
    expect(await remaining()).toHaveLength(8);
  });

  it('answers 405 with Allow: POST for other methods, and 401 without the management token', async () => {
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const response = await t.inject({ method, url: '/manage/cache/purge', headers: AUTH });
      expect(response.statusCode, method).toBe(405);
      expect(response.headers.allow).toBe('POST');
      expect(json(response).code).toBe('method_not_allowed');
    }
    const anonymous = await t.inject({ method: 'POST', url: '/manage/cache/purge', payload: { all: true } });
    expect(anonymous.statusCode).toBe(401);
    expect(await remaining()).toHaveLength(8);
  });
});

describe('POST /manage/cache/purge with caching disabled', () => {
  it('answers 400 caching is disabled to every body, audited as caching_disabled', async () => {
    const t = await startTestGateway({ listen: false, env: { HTTP_CACHE_ENABLED: 'false' } });
    try {
      expect(t.gateway.responseCache).toBeUndefined();
      for (const body of [{ all: true }, { nonsense: 1 }]) {
        const response = await t.manage('POST', '/manage/cache/purge', body);
        expect(response.statusCode).toBe(400);
        expect(json(response)).toEqual({ error: 'caching is disabled', code: 'cache_disabled' });
      }
      const { event, details } = await lastPurgeEvent(t);
      expect(event.outcome).toBe('failure');
      expect(details.reason).toBe('caching_disabled');
    } finally {
      await t.close();
    }
  });
});

describe('POST /manage/cache/purge with HTTP_CACHE_SHARED=true', () => {
  it('purges shared entries by url, prefix or all, and refuses to select by project', async () => {
    const t = await startTestGateway({ listen: false, env: { HTTP_CACHE_SHARED: 'true' } });
    try {
      const project = (await createProject(t, 'shared-purge')).id;
      const store = storeOf(t);
      await storeEntries(store, [
        { scope: SHARED_SCOPE, method: 'GET', url: MODELS },
        { scope: SHARED_SCOPE, method: 'POST', url: CHAT, bodyHash: 'c1' },
      ]);
      const byProject = await t.manage('POST', '/manage/cache/purge', { prefix: '/v1', project_id: project });
      expect(byProject.statusCode).toBe(400);
      expect(json(byProject).error).toMatch(/HTTP_CACHE_SHARED=true/);
      expect((await lastPurgeEvent(t)).details.reason).toBe('shared_cache');
      expect(json(await t.manage('POST', '/manage/cache/purge', { method: 'GET', url: MODELS }))).toEqual({
        deleted: 1,
      });
      expect(json(await t.manage('POST', '/manage/cache/purge', { all: true }))).toEqual({ deleted: 1 });
    } finally {
      await t.close();
    }
  });
});
