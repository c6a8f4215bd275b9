import { randomBytes } from 'node:crypto';

import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';

import type { CacheStore } from '../../src/cache/cache-store.js';
import { openRedisClients } from '../../src/redis/index.js';
import type { RedisClients } from '../../src/redis/index.js';
import type { Store } from '../../src/store/index.js';
import { createInvalidationBus } from '../../src/tokens/index.js';
import type { InvalidationBus } from '../../src/tokens/index.js';
import { keysHeld, storeEntries } from '../helpers/cache-entries.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { createProject, json } from '../helpers/management.js';
import { TEST_REDIS_URL } from '../helpers/service-urls.js';
import { createTestStore } from '../helpers/test-store.js';
import type { TestStore } from '../helpers/test-store.js';

/** One gateway of a deployment with a memory cache store, its own Redis connections and bus. */
interface Instance {
  readonly h: TestGateway;
  readonly cache: CacheStore;
  close(): Promise<void>;
}

async function startInstance(store: Store, channel: string): Promise<Instance> {
  const logger = pino({ level: 'silent' });
  const clients: RedisClients = await openRedisClients({ url: TEST_REDIS_URL, logger });
  const bus: InvalidationBus = createInvalidationBus({ type: 'redis', logger, channel, ...clients });
  await bus.ready();
  const h = await startTestGateway({ store, invalidation: bus, listen: false });
  const cache = h.gateway.responseCache?.store;
  if (cache === undefined) throw new Error('the gateway has no response cache');
  return {
    h,
    cache,
    async close() {
      await h.close();
      await bus.close();
      await clients.close();
    },
  };
}

describe.skipIf(!inject('redisAvailable'))(
  'a purge through one instance empties the memory stores of all',
  () => {
    let shared: TestStore;
    let a: Instance;
    let b: Instance;
    let project: string;
    let other: string;

    beforeAll(async () => {
      shared = await createTestStore('sqlite');
      const channel = `llm-proxy-test-cache-purge-${randomBytes(6).toString('hex')}`;
      a = await startInstance(shared.store, channel);
      b = await startInstance(shared.store, channel);
      project = (await createProject(a.h, 'purged-everywhere')).id;
      other = (await createProject(a.h, 'kept-everywhere')).id;
    });
    afterAll(async () => {
      await a.close();
      await b.close();
      await shared.cleanup();
    });

    it('purges a URL on instance B after POST /manage/cache/purge on instance A, and nothing else', async () => {
      const entries = [
        { scope: project, method: 'GET', url: '/v1/models', variant: 'aa' },
        { scope: other, method: 'GET', url: '/v1/models', bodyHash: 'b1' },
      ];
      const kept = { scope: project, method: 'POST', url: '/v1/chat/completions', bodyHash: 'c1' };
      const [onA, onB] = [await storeEntries(a.cache, entries), await storeEntries(b.cache, entries)];
      const [keptA, keptB] = [await storeEntries(a.cache, [kept]), await storeEntries(b.cache, [kept])];

      const response = await a.h.manage('POST', '/manage/cache/purge', { method: 'GET', url: '/v1/models' });
      expect(response.statusCode).toBe(200);
      expect(json(response)).toEqual({ deleted: 3 });
      expect(await keysHeld(a.cache, onA)).toEqual([]);
      await vi.waitFor(
        async () => {
          expect(await keysHeld(b.cache, onB)).toEqual([]);
        },
        { timeout: 2000, interval: 5 },
      );
      expect(await keysHeld(a.cache, keptA)).toEqual(keptA);
      expect(await keysHeld(b.cache, keptB)).toEqual(keptB);
    });

    it('purges one project on instance A after a purge made through instance B, keeping the others', async () => {
      const mine = [
        { scope: project, method: 'GET', url: '/v1/models', bodyHash: 'p1' },
        { scope: project, method: 'POST', url: '/v1/embeddings', bodyHash: 'p2' },
      ];
      const theirs = [{ scope: other, method: 'GET', url: '/v1/models', bodyHash: 'o1' }];
      const mineOnA = await storeEntries(a.cache, mine);
      const theirsOnA = await storeEntries(a.cache, theirs);
      await storeEntries(b.cache, mine);

      expect(json(await b.h.manage('POST', '/manage/cache/purge', { project_id: project }))).toMatchObject({
        deleted: expect.any(Number),
      });
      await vi.waitFor(
        async () => {
          expect(await keysHeld(a.cache, mineOnA)).toEqual([]);
        },
        { timeout: 2000, interval: 5 },
      );
      expect(await keysHeld(a.cache, theirsOnA)).toEqual(theirsOnA);
    });

    it('empties the memory store when its bus says events may have been missed (resync)', async () => {
      const held = await storeEntries(b.cache, [
        { scope: other, method: 'GET', url: '/v1/models', bodyHash: 'r1' },
      ]);
      expect(await keysHeld(b.cache, held)).toEqual(held);
      b.h.gateway.invalidation.publish({ type: 'resync' });
      await vi.waitFor(
        async () => {
          expect(await keysHeld(b.cache, held)).toEqual([]);
        },
        { timeout: 2000, interval: 5 },
      );
    });
  },
);
