import { randomBytes } from 'node:crypto';

import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { MemorySessionStore, RedisSessionStore } from '../../src/admin/index.js';
import { isAppError } from '../../src/core/index.js';
import { openRedisClients } from '../../src/redis/index.js';
import type { RedisClients } from '../../src/redis/index.js';
import { LogCapture } from '../helpers/log-capture.js';
import { closedPort } from '../helpers/network.js';
import { TEST_REDIS_URL } from '../helpers/service-urls.js';
import { describeSessionStoreContract } from './session-store-contract.js';

const MINUTE = 60_000;
const START = Date.parse('2030-01-01T00:00:00Z');
const silent = pino({ level: 'silent' });
const redisAvailable = inject('redisAvailable');

/** Connections opened by this file, closed at its end; key prefixes written, deleted then. */
const opened: RedisClients[] = [];
const prefixes: string[] = [];
let inspector: Redis | undefined;

async function sharedClient(url = TEST_REDIS_URL): Promise<RedisClients> {
  const clients = await openRedisClients({ url, logger: silent, reconnectMaxDelayMs: 50 });
  opened.push(clients);
  return clients;
}

function newPrefix(): string {
  const prefix = `llm-proxy-test:admin-session:${randomBytes(6).toString('hex')}:`;
  prefixes.push(prefix);
  return prefix;
}

/** Every key under a prefix with its value and remaining lifetime, as Redis holds them. */
async function heldUnder(prefix: string): Promise<{ key: string; value: string; pttl: number }[]> {
  inspector ??= new Redis(TEST_REDIS_URL);
  const keys = await inspector.keys(`${prefix}*`);
  return Promise.all(
    keys.map(async (key) => ({
      key,
      value: (await inspector!.get(key)) ?? '',
      pttl: await inspector!.pttl(key),
    })),
  );
}

afterAll(async () => {
  if (inspector !== undefined) {
    for (const prefix of prefixes) {
      const keys = await inspector.keys(`${prefix}*`);
      if (keys.length > 0) await inspector.del(...keys);
    }
    inspector.disconnect();
  }
  await Promise.all(opened.splice(0).map((clients) => clients.close()));
});

describeSessionStoreContract('memory', () => new MemorySessionStore());

describe.skipIf(!redisAvailable)('redis', () => {
  let clients: RedisClients;

  beforeAll(async () => {
    clients = await sharedClient();
  });

  /** A Redis store under a prefix of its own. */
  function freshRedisStore(): { prefix: string; store: RedisSessionStore } {
    const prefix = newPrefix();
    return {
      prefix,
      store: new RedisSessionStore({ client: clients.client, logger: silent, keyPrefix: prefix }),
    };
  }

  describeSessionStoreContract('redis', () => {
    const prefix = newPrefix();
    return new RedisSessionStore({ client: clients.client, logger: silent, keyPrefix: prefix });
  });

  it('holds one key per session: the prefix and the hash of the cookie id, never the id itself', async () => {
    const { prefix, store } = freshRedisStore();
    const { id, session } = await store.create({
      now: START,
      idleTimeoutMs: 10 * MINUTE,
      maxAgeMs: 60 * MINUTE,
      remember: false,
    });
    await store.setFlash(session, { kind: 'success', message: 'Token revoked' });
    const held = await heldUnder(prefix);
    expect(held.map((entry) => entry.key)).toEqual([`${prefix}${session.key}`]);
    expect(held[0]!.value).not.toContain(id);
    expect(JSON.parse(held[0]!.value)).toMatchObject({
      key: session.key,
      lastSeenAt: START,
      expiresAt: START + 60 * MINUTE,
      flash: { kind: 'success', message: 'Token revoked' },
    });
    await store.delete(id);
    expect(await heldUnder(prefix)).toEqual([]);
  });

  it('lets Redis forget a session when it would go idle or reach its absolute expiry, renewed on use', async () => {
    const { prefix, store } = freshRedisStore();
    const { id } = await store.create({
      now: START,
      idleTimeoutMs: 10 * MINUTE,
      maxAgeMs: 12 * MINUTE,
      remember: false,
    });
    const [created] = await heldUnder(prefix);
    expect(created!.pttl).toBeGreaterThan(5 * MINUTE);
    expect(created!.pttl).toBeLessThanOrEqual(10 * MINUTE);
    // Three minutes before the absolute expiry, what is left of it is shorter than the idle timeout.
    expect(await store.touch(id, START + 9 * MINUTE)).toBeDefined();
    const [late] = await heldUnder(prefix);
    expect(late!.pttl).toBeGreaterThan(MINUTE);
    expect(late!.pttl).toBeLessThanOrEqual(3 * MINUTE);
  });

  it('forgets a value that is not a session instead of trusting it', async () => {
    const { prefix, store } = freshRedisStore();
    const { id, session } = await store.create({
      now: START,
      idleTimeoutMs: 10 * MINUTE,
      maxAgeMs: 60 * MINUTE,
      remember: false,
    });
    await clients.client.set(`${prefix}${session.key}`, '{"key":"forged"}', 'PX', MINUTE);
    expect(await store.touch(id, START + MINUTE)).toBeUndefined();
    expect(await heldUnder(prefix)).toEqual([]);
  });
});

describe('redis session store without its Redis', () => {
  it('rejects every call with admin_session_store_unavailable (503) and logs it, never answering "no session"', async () => {
    const logs = new LogCapture();
    const clients = await sharedClient(`redis://127.0.0.1:${String(await closedPort())}`);
    const store = new RedisSessionStore({
      client: clients.client,
      logger: pino({ level: 'debug' }, logs),
      keyPrefix: newPrefix(),
    });
    const calls = [
      store.create({ now: START, idleTimeoutMs: MINUTE, maxAgeMs: MINUTE, remember: false }),
      store.touch('some-cookie-id', START),
      store.delete('some-cookie-id'),
    ];
    for (const call of calls) {
      const error: unknown = await call.then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(isAppError(error) && { code: error.code, status: error.statusCode }).toEqual({
        code: 'admin_session_store_unavailable',
        status: 503,
      });
    }
    expect(logs.text).toContain('admin session store unavailable');
    expect(logs.text).not.toContain('some-cookie-id');
  });
});
