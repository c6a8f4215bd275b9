import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { auditEvents, json } from '../helpers/management.js';
import { TEST_DIALECTS } from '../helpers/test-store.js';

interface OpenApiSchema {
  properties?: Record<string, { type?: string; minimum?: number; maximum?: number; nullable?: boolean }>;
}

const RANGE_MESSAGE =
  'cache_post_ttl_seconds must be an integer from 1 to 31536000 (one year), or null to turn it off';

describe.each(TEST_DIALECTS)("a project's cache TTL for POST answers (%s)", (dialect) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ dialect, listen: false });
  });
  afterAll(async () => {
    await t.close();
  });

  async function lastAuditDetails(action: string): Promise<Record<string, unknown>> {
    const { events } = await auditEvents(t, `action=${action}&page_size=1`);
    return JSON.parse(String(events[0]?.metadata)) as Record<string, unknown>;
  }

  it('is set on create, shown by get and list, and audited', async () => {
    const created = await t.manage('POST', '/manage/projects', {
      name: `ttl-${dialect}-create`,
      api_key: 'sk-live-abcdefghijklmnop',
      cache_post_ttl_seconds: 3600,
    });
    expect(created.statusCode).toBe(201);
    const id = json(created).id as string;
    expect(json(created).cache_post_ttl_seconds).toBe(3600);
    expect((await t.store.projects.get(id))?.cachePostTtlSeconds).toBe(3600);
    expect(json(await t.manage('GET', `/manage/projects/${id}`)).cache_post_ttl_seconds).toBe(3600);
    const listed = json<Record<string, unknown>[]>(await t.manage('GET', '/manage/projects'));
    expect(listed.find((project) => project.id === id)?.cache_post_ttl_seconds).toBe(3600);
    expect(await lastAuditDetails('project.create')).toMatchObject({ cache_post_ttl_seconds: 3600 });
  });

  it('is off (null) when not given', async () => {
    const created = await t.manage('POST', '/manage/projects', {
      name: `ttl-${dialect}-default`,
      api_key: 'sk-live-abcdefghijklmnop',
    });
    expect(json(created).cache_post_ttl_seconds).toBeNull();
    expect(await lastAuditDetails('project.create')).not.toHaveProperty('cache_post_ttl_seconds');
  });

  it('is changed and cleared by an update, each change audited', async () => {
    const created = await t.manage('POST', '/manage/projects', {
      name: `ttl-${dialect}-update`,
      api_key: 'sk-live-abcdefghijklmnop',
    });
    const id = json(created).id as string;
    const set = await t.manage('PATCH', `/manage/projects/${id}`, { cache_post_ttl_seconds: 31_536_000 });
    expect(set.statusCode).toBe(200);
    expect(json(set).cache_post_ttl_seconds).toBe(31_536_000);
    expect(await lastAuditDetails('project.update')).toMatchObject({
      updated_fields: ['cache_post_ttl_seconds'],
      cache_post_ttl_seconds: 31_536_000,
    });

    const renamed = await t.manage('PATCH', `/manage/projects/${id}`, { name: `ttl-${dialect}-renamed` });
    expect(json(renamed).cache_post_ttl_seconds).toBe(31_536_000);
    const renameDetails = await lastAuditDetails('project.update');
    expect(renameDetails.updated_fields).toEqual(['name']);
    expect(renameDetails).not.toHaveProperty('cache_post_ttl_seconds');

    const cleared = await t.manage('PATCH', `/manage/projects/${id}`, { cache_post_ttl_seconds: null });
    expect(json(cleared).cache_post_ttl_seconds).toBeNull();
    expect((await t.store.projects.get(id))?.cachePostTtlSeconds).toBeNull();
    expect(await lastAuditDetails('project.update')).toMatchObject({
      updated_fields: ['cache_post_ttl_seconds'],
      cache_post_ttl_seconds: null,
    });
  });

  it.each([0, -5, 31_536_001, 1.5, '600', true])('refuses %j with 400 and changes nothing', async (value) => {
    const created = await t.manage('POST', '/manage/projects', {
      name: `ttl-${dialect}-refuse-${JSON.stringify(value)}`,
      api_key: 'sk-live-abcdefghijklmnop',
      cache_post_ttl_seconds: 60,
    });
    expect(created.statusCode).toBe(201);
    const id = json(created).id as string;
    const update = await t.manage('PATCH', `/manage/projects/${id}`, { cache_post_ttl_seconds: value });
    expect(update.statusCode).toBe(400);
    expect(json(update)).toEqual({ error: RANGE_MESSAGE, code: 'validation_failed' });
    expect((await t.store.projects.get(id))?.cachePostTtlSeconds).toBe(60);

    const before = (await t.store.projects.list()).length;
    const create = await t.manage('POST', '/manage/projects', {
      name: `ttl-${dialect}-never-${JSON.stringify(value)}`,
      api_key: 'sk-live-abcdefghijklmnop',
      cache_post_ttl_seconds: value,
    });
    expect(create.statusCode).toBe(400);
    expect(json(create).error).toBe(RANGE_MESSAGE);
    expect((await t.store.projects.list()).length).toBe(before);
  });
});

describe('the cache TTL for POST answers in the OpenAPI document', () => {
  it('is documented on the project view and both request bodies, with its range', async () => {
    const t = await startTestGateway({ listen: false });
    try {
      const doc = json<{
        paths: Record<
          string,
          Record<string, { requestBody?: { content: Record<string, { schema: OpenApiSchema }> } }>
        >;
        components?: { schemas?: Record<string, OpenApiSchema> };
      }>(await t.inject({ method: 'GET', url: '/manage/openapi.json' }));
      const body = (path: string, method: string) =>
        doc.paths[path]?.[method]?.requestBody?.content['application/json']?.schema.properties
          ?.cache_post_ttl_seconds;
      for (const field of [body('/manage/projects', 'post'), body('/manage/projects/{id}', 'patch')]) {
        expect(field).toMatchObject({ type: 'integer', minimum: 1, maximum: 31_536_000, nullable: true });
      }
      expect(JSON.stringify(doc.paths['/manage/projects/{id}']?.get)).toContain('cache_post_ttl_seconds');
    } finally {
      await t.close();
    }
  });
});
