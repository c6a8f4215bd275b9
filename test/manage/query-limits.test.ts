import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { auditEvents, createProject, json } from '../helpers/management.js';
import { TEST_DIALECTS } from '../helpers/test-store.js';

describe.each(TEST_DIALECTS)('absurd numbers and odd text in management queries (%s)', (dialect) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ dialect, listen: false });
    await createProject(t, 'query-limits-project');
  });
  afterAll(async () => {
    await t.close();
  });

  it.each([
    ['page=1e308', 'page must be an integer'],
    ['page=1e3', 'page must be an integer'],
    ['page=1.0', 'page must be an integer'],
    ['page=0x10', 'page must be an integer'],
    ['page=%201', 'page must be an integer'],
    ['page=Infinity', 'page must be an integer'],
    ['page=' + '9'.repeat(400), 'page must be <= 1000000'],
    ['page=0', 'page must be >= 1'],
    ['page_size=1e308', 'page_size must be an integer'],
    ['page_size=-5', 'page_size must be >= 1'],
    ['page_size=99999999999', 'page_size must be <= 1000000'],
  ])('GET /manage/audit?%s → 400 naming the field', async (query, message) => {
    const response = await t.manage('GET', `/manage/audit?${query}`);
    expect(response.statusCode, response.body).toBe(400);
    expect(json(response)).toEqual({ error: message, code: 'validation_failed' });
  });

  it('still reads plain numbers and clamps a large page_size as the original does', async () => {
    const response = await t.manage('GET', '/manage/audit?page=1&page_size=500');
    expect(response.statusCode, response.body).toBe(200);
    expect(json<{ pagination: { page_size: number } }>(response).pagination.page_size).toBe(100);
  });

  it('treats a search with a NUL as text that matches nothing, not as match-all', async () => {
    const all = await auditEvents(t);
    expect(all.events.length).toBeGreaterThan(0);
    for (const search of ['%00', 'a%00b', '%00%25']) {
      const response = await t.manage('GET', `/manage/audit?search=${search}`);
      expect(response.statusCode, response.body).toBe(200);
      expect(json<{ events: unknown[] }>(response).events).toEqual([]);
    }
  });

  it('searches for other control characters as text', async () => {
    const response = await t.manage('GET', '/manage/audit?search=%01%1b');
    expect(response.statusCode, response.body).toBe(200);
    expect(json<{ events: unknown[] }>(response).events).toEqual([]);
    const tab = await t.manage('GET', '/manage/audit?search=project.%09list');
    expect(json<{ events: unknown[] }>(tab).events).toEqual([]);
    const plain = await t.manage('GET', '/manage/audit?search=project.create');
    expect(json<{ events: unknown[] }>(plain).events.length).toBeGreaterThan(0);
  });

  it('treats a NUL in an exact filter as text too (no 500 on PostgreSQL)', async () => {
    const response = await t.manage('GET', '/manage/audit?action=project.create%00');
    expect(response.statusCode, response.body).toBe(200);
    expect(json<{ events: unknown[] }>(response).events).toEqual([]);
  });
});
