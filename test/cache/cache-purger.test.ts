import { randomBytes } from 'node:crypto';
import { once } from 'node:events';

import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';

import { CachePurger } from '../../src/cache/cache-purger.js';
import type { CacheStore, PurgeSelector } from '../../src/cache/cache-store.js';
import { MemoryCacheStore } from '../../src/cache/memory-cache-store.js';
import { RedisCacheStore } from '../../src/cache/redis-cache-store.js';
import { keysHeld, storeEntries } from '../helpers/cache-entries.js';
import { TEST_REDIS_URL } from '../helpers/service-urls.js';

const ENTRIES = [
  { scope: 'p1', method: 'GET', url: '/v1/models' },
  { scope: 'p1', method: 'POST', url: '/v1/chat/completions', bodyHash: 'aa', variant: 'bb' },
  { scope: 'p2', method: 'GET', url: '/v1/models' },
];

const stores: CacheStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) {
    await store.purge({ kind: 'all' }).catch(() => undefined);
    await store.close();
  }
});

function memoryStore(): MemoryCacheStore {
  const store = new MemoryCacheStore({ maxBytes: 1024 * 1024 });
  stores.push(store);
  return store;
}

describe('cache purger', () => {
  it('purges its store, then announces the selector, and resolves what its store deleted', async () => {
    const store = memoryStore();
    const keys = await storeEntries(store, ENTRIES);
    const announced: PurgeSelector[] = [];
    const purger = new CachePurger({ store, announce: (selector) => announced.push(selector) });
    expect(await purger.purge({ kind: 'scope', scope: 'p1' })).toBe(3);
    expect(announced).toEqual([{ kind: 'scope', scope: 'p1' }]);
    expect(await keysHeld(store, keys)).toEqual(keys.slice(3));
  });

  it('applies a purge announced elsewhere to its memory store, but not its own announcement again', async () => {
    const store = memoryStore();
    const keys = await storeEntries(store, ENTRIES);
    const applied: number[] = [];
    const purger: CachePurger = new CachePurger({
      store,
      // As a bus does: the announcement comes straight back to this instance's listener.
      announce: (selector) => {
        void purger.applyRemotePurge(selector).then((deleted) => applied.push(deleted));
      },
    });
    expect(await purger.purge({ kind: 'url', method: 'GET', url: '/v1/models', scope: 'p2' })).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(applied).toEqual([0]);
    expect(await purger.applyRemotePurge({ kind: 'prefix', prefix: '/v1/chat' })).toBe(2);
    expect(await keysHeld(store, keys)).toEqual(keys.slice(0, 1));
  });

  it('leaves a store it cannot reach as it is, announcing nothing', async () => {
    const client = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false });
    const store = new RedisCacheStore({
      client,
      logger: pino({ level: 'silent' }),
      keyPrefix: 'x:',
      timeoutMs: 50,
    });
    stores.push(store);
    const announced: PurgeSelector[] = [];
    const purger = new CachePurger({ store, announce: (selector) => announced.push(selector) });
    await expect(purger.purge({ kind: 'all' })).rejects.toThrow();
    expect(announced).toEqual([]);
    client.disconnect();
  });
});

describe.skipIf(!inject('redisAvailable'))('cache purger on a Redis store', () => {
  const clients: Redis[] = [];
  afterAll(() => {
    for (const client of clients) client.disconnect();
  });

  it('purges the shared store once, where it was asked, and ignores the announcements of others', async () => {
    const client = new Redis(TEST_REDIS_URL);
    clients.push(client);
    if (client.status !== 'ready') await once(client, 'ready');
    const keyPrefix = `llm-proxy-test-purger-${randomBytes(6).toString('hex')}:`;
    const store = new RedisCacheStore({
      client,
      logger: pino({ level: 'silent' }),
      keyPrefix,
      timeoutMs: 1000,
    });
    stores.push(store);
    const keys = await storeEntries(store, ENTRIES);
    const purger = new CachePurger({ store, announce: () => undefined });
    expect(await purger.applyRemotePurge({ kind: 'all' })).toBe(0);
    expect(await keysHeld(store, keys)).toEqual(keys);
    expect(await purger.purge({ kind: 'url', method: 'POST', url: '/v1/chat/completions' })).toBe(2);
    expect(await keysHeld(store, keys)).toEqual([keys[0], keys[3]]);
  });
});
