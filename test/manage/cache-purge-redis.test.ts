import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';

import type { CacheStore } from '../../src/cache/cache-store.js';
import { keysHeld, storeEntries } from '../helpers/cache-entries.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { auditEvents, createProject, json } from '../helpers/management.js';
import { freePort } from '../helpers/network.js';
import { TEST_REDIS_URL } from '../helpers/service-urls.js';

function storeOf(t: TestGateway): CacheStore {
  const store = t.gateway.responseCache?.store;
  if (store === undefined) throw new Error('the test gateway has no response cache');
  return store;
}

describe.skipIf(!inject('redisAvailable'))('POST /manage/cache/purge on the Redis store', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({
      listen: false,
      env: {
        HTTP_CACHE_BACKEND: 'redis',
        REDIS_CACHE_URL: TEST_REDIS_URL,
        REDIS_CACHE_KEY_PREFIX: `llm-proxy-test-purge-${randomBytes(6).toString('hex')}:`,
      },
    });
    // The store's connection is opened without waiting for it; writes are refused until it is ready.
    await vi.waitFor(
      async () => {
        await storeEntries(storeOf(t), [{ scope: 'probe', method: 'GET', url: '/probe' }]);
      },
      { timeout: 5000, interval: 20 },
    );
    await storeOf(t).purge({ kind: 'all' });
  });
  afterAll(async () => {
    await storeOf(t)
      .purge({ kind: 'all' })
      .catch(() => undefined);
    await t.close();
  });

  it('deletes the keys each choice selects and answers how many', async () => {
    const store = storeOf(t);
    expect(store.backend).toBe('redis');
    const a = (await createProject(t, 'redis-purge-a')).id;
    const b = (await createProject(t, 'redis-purge-b')).id;
    const models = await storeEntries(store, [
      { scope: a, method: 'GET', url: '/v1/models', variant: '01' },
      { scope: b, method: 'GET', url: '/v1/models' },
    ]);
    const chats = await storeEntries(store, [
      { scope: a, method: 'POST', url: '/v1/chat/completions', bodyHash: 'c1' },
      { scope: b, method: 'POST', url: '/v1/chat/completions', bodyHash: 'c2' },
    ]);
    const embeddings = await storeEntries(store, [
      { scope: b, method: 'POST', url: '/v1/embeddings', bodyHash: 'e1' },
    ]);

    expect(json(await t.manage('POST', '/manage/cache/purge', { method: 'GET', url: '/v1/models' }))).toEqual(
      {
        deleted: 3,
      },
    );
    expect(await keysHeld(store, models)).toEqual([]);
    expect(
      json(await t.manage('POST', '/manage/cache/purge', { prefix: '/v1/chat', project_id: a })),
    ).toEqual({
      deleted: 1,
    });
    expect(await keysHeld(store, chats)).toEqual(chats.slice(1));
    expect(json(await t.manage('POST', '/manage/cache/purge', { project_id: b }))).toEqual({ deleted: 2 });
    expect(await keysHeld(store, [...chats, ...embeddings])).toEqual([]);
  });
});

describe('POST /manage/cache/purge when the Redis store cannot be reached', () => {
  it('answers 503 cache_store_unavailable, audited, while the gateway keeps serving', async () => {
    const port = await freePort();
    const t = await startTestGateway({
      listen: false,
      env: { HTTP_CACHE_BACKEND: 'redis', REDIS_CACHE_URL: `redis://127.0.0.1:${String(port)}` },
    });
    try {
      const response = await t.manage('POST', '/manage/cache/purge', { all: true });
      expect(response.statusCode).toBe(503);
      expect(json(response)).toEqual({
        error: 'the cache store is unavailable; retry the purge',
        code: 'cache_store_unavailable',
      });
      const { events } = await auditEvents(t, 'action=cache.purge&page_size=1');
      expect(events[0]?.outcome).toBe('error');
      expect(JSON.parse(String(events[0]?.metadata))).toMatchObject({
        purge_type: 'all',
        reason: 'store_unavailable',
      });
      expect((await t.manage('GET', '/manage/projects')).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});
