import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, inject, it, vi } from 'vitest';

import { CACHE_ITEM_CODEC_VERSION } from '../../src/cache/cache-item-codec.js';
import { primaryKey } from '../../src/cache/cache-key-layout.js';
import { STORE_UNAVAILABLE } from '../../src/cache/cache-store.js';
import type { CachedResponse } from '../../src/cache/cached-response.js';
import { createCacheStore } from '../../src/cache/create-cache-store.js';
import { RedisCacheStore } from '../../src/cache/redis-cache-store.js';
import type { RedisCacheStoreOptions } from '../../src/cache/redis-cache-store.js';
import { isAppError } from '../../src/core/index.js';
import { cacheConnectionOptions } from '../../src/redis/cache-connection.js';
import { ManualClock } from '../helpers/clock.js';
import { LogCapture, captureLogger } from '../helpers/log-capture.js';
import { TEST_REDIS_URL } from '../helpers/service-urls.js';
import { startTcpRelay } from '../helpers/tcp-relay.js';
import { describeCacheStoreContract } from './cache-store-contract.js';

const WAIT = { timeout: 5000, interval: 5 };
const MINUTE = 60_000;
const silent = pino({ level: 'silent' });

/** Connections opened by this file, closed at its end. */
const connections: Redis[] = [];
/** Key prefixes written by this file, deleted after each test. */
const prefixes: string[] = [];

/** A connected client (the store sends nothing before the client is ready). */
async function openClient(url = TEST_REDIS_URL, options: RedisOptions = {}): Promise<Redis> {
  const client = new Redis(url, options);
  // Errors of connections a test takes away on purpose.
  client.on('error', () => undefined);
  connections.push(client);
  if (client.status !== 'ready') await once(client, 'ready');
  return client;
}

let admin: Promise<Redis> | undefined;
const adminClient = (): Promise<Redis> => (admin ??= openClient());
/** The stores' own connection, set up as llm-proxy sets up the cache's (auto-pipelining included). */
let storeConnection: Promise<Redis> | undefined;
const storeClient = (): Promise<Redis> =>
  (storeConnection ??= openClient(TEST_REDIS_URL, cacheConnectionOptions()));

function newPrefix(): string {
  const prefix = `llm-proxy-test:cache:${randomBytes(6).toString('hex')}:`;
  prefixes.push(prefix);
  return prefix;
}

async function deleteUnder(prefix: string): Promise<void> {
  const client = await adminClient();
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(
      cursor,
      'MATCH',
      `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`,
      'COUNT',
      1000,
    );
    cursor = next;
    if (keys.length > 0) await client.unlink(...keys);
  } while (cursor !== '0');
}

const redisAvailable = inject('redisAvailable');

afterAll(() => {
  for (const client of connections.splice(0)) client.disconnect();
});

describe.skipIf(!redisAvailable)('redis cache store', () => {
  describeCacheStoreContract('redis', async () => {
    const client = await adminClient();
    const keyPrefix = newPrefix();
    const store = createCacheStore({
      type: 'redis',
      client,
      logger: silent,
      keyPrefix,
      timeoutMs: 2000,
      // Exact figures after every change: the contract checks them.
      statsMaxAgeMs: 0,
    });
    return {
      store,
      now: () => Date.now(),
      elapse: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
      // Long enough to be read back at once on a loaded machine, short enough to wait out.
      shortTtlMs: 1000,
      cleanup: async () => {
        await store.close();
        await deleteUnder(keyPrefix);
      },
    };
  });

  const stores: RedisCacheStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const prefix of prefixes.splice(0)) await deleteUnder(prefix);
  });

  const open = async (options: Partial<RedisCacheStoreOptions> = {}) => {
    const store = new RedisCacheStore({
      client: await storeClient(),
      logger: silent,
      keyPrefix: newPrefix(),
      timeoutMs: 2000,
      ...options,
    });
    stores.push(store);
    return store;
  };
  const keyOf = (url: string) =>
    primaryKey({ scope: 'project-a', provider: 'openai', method: 'GET', url }, 'none');
  const item = (url: string, ttlMs = MINUTE, now = Date.now()): CachedResponse => ({
    kind: 'response',
    status: 200,
    headers: { 'content-type': 'application/json' },
    chunks: [Buffer.from('{"data":[]}')],
    storedAt: now,
    expiresAt: now + ttlMs,
    origin: { scope: 'project-a', provider: 'openai', method: 'GET', url },
  });

  it('writes one key under its prefix, in the versioned codec, with the lifetime kept by Redis', async () => {
    const keyPrefix = newPrefix();
    const store = await open({ keyPrefix });
    const key = keyOf('/v1/models');
    expect(await store.set(key, item('/v1/models', MINUTE))).toBe(true);

    const client = await adminClient();
    const ttl = await client.pttl(keyPrefix + key);
    expect(ttl).toBeGreaterThan(MINUTE - 5000);
    expect(ttl).toBeLessThanOrEqual(MINUTE);
    const raw = await client.getBuffer(keyPrefix + key);
    expect(raw?.[0]).toBe(CACHE_ITEM_CODEC_VERSION);
  });

  it('reads a value it cannot decode as a miss, deletes it, and says so once', async () => {
    const logs = new LogCapture();
    const keyPrefix = newPrefix();
    const store = await open({ keyPrefix, logger: captureLogger(logs) });
    const client = await adminClient();
    await client.set(`${keyPrefix}${keyOf('/v1/a')}`, 'not a cache item', 'PX', MINUTE);
    await client.set(
      `${keyPrefix}${keyOf('/v1/b')}`,
      Buffer.from([CACHE_ITEM_CODEC_VERSION + 1, 0]),
      'PX',
      MINUTE,
    );

    expect(await store.get(keyOf('/v1/a'))).toBeUndefined();
    expect(await store.get(keyOf('/v1/b'))).toBeUndefined();
    await vi.waitFor(async () => {
      expect(await client.exists(`${keyPrefix}${keyOf('/v1/a')}`, `${keyPrefix}${keyOf('/v1/b')}`)).toBe(0);
    }, WAIT);
    expect(logs.entries.filter((entry) => entry.level === 40)).toHaveLength(1);
    expect(store.counters().errors).toBe(0);
  });

  it('purges only under its own prefix, even a prefix with glob metacharacters', async () => {
    const base = newPrefix();
    const starred = await open({ keyPrefix: `${base}a*:` });
    const neighbour = await open({ keyPrefix: `${base}ab:` });
    for (const store of [starred, neighbour]) {
      expect(await store.set(keyOf('/v1/models'), item('/v1/models'))).toBe(true);
      expect(await store.set(keyOf('/v1/files'), item('/v1/files'))).toBe(true);
    }
    expect(await starred.purge({ kind: 'all' })).toBe(2);
    expect(await neighbour.stats()).toMatchObject({ entries: 2 });
    expect(await neighbour.get(keyOf('/v1/models'))).toBeDefined();
    expect(await starred.get(keyOf('/v1/models'))).toBeUndefined();
  });

  it('purges across many SCAN steps and counts what it deleted', async () => {
    const store = await open({ scanCount: 10 });
    for (let index = 0; index < 120; index += 1) {
      expect(await store.set(keyOf(`/v1/files/${String(index)}`), item(`/v1/files/${String(index)}`))).toBe(
        true,
      );
    }
    expect(await store.set(keyOf('/v1/models'), item('/v1/models'))).toBe(true);
    expect(await store.purge({ kind: 'prefix', prefix: '/v1/files/' })).toBe(120);
    expect(await store.stats()).toMatchObject({ entries: 1 });
  });

  it('counts its keys at most once per statsMaxAgeMs, so that a metrics scrape costs nothing in between', async () => {
    const clock = new ManualClock();
    const store = await open({ clock, statsMaxAgeMs: 30_000 });
    expect(await store.stats()).toEqual({ entries: 0, bytes: 0 });
    expect(await store.set(keyOf('/v1/models'), item('/v1/models', MINUTE, clock.now().getTime()))).toBe(
      true,
    );
    expect(await store.stats()).toEqual({ entries: 0, bytes: 0 });

    clock.advance(30_000);
    const counted = await store.stats();
    expect(counted.entries).toBe(1);
    expect(counted.bytes).toBeGreaterThan(11);
  });

  describe('when Redis goes away', () => {
    const timeoutMs = 200;
    const cooldownMs = 1000;

    const outageStore = async (client: Redis, logs: LogCapture, clock: ManualClock) =>
      open({ client, logger: captureLogger(logs), timeoutMs, cooldownMs, failureThreshold: 3, clock });
    const warnings = (logs: LogCapture) => logs.entries.filter((entry) => entry.level === 40);
    const infos = (logs: LogCapture) => logs.entries.filter((entry) => entry.level === 30);

    it('serves without the cache while its client makes its first connection, and says nothing of it', async () => {
      const logs = new LogCapture();
      const client = new Redis(TEST_REDIS_URL);
      connections.push(client);
      // Built at once, without awaiting anything that would let the connection come up first.
      const store = new RedisCacheStore({
        client,
        logger: captureLogger(logs),
        keyPrefix: newPrefix(),
        timeoutMs,
      });
      stores.push(store);
      expect(client.status).not.toBe('ready');
      expect(store.get(keyOf('/v1/models'))).toBe(STORE_UNAVAILABLE);
      await once(client, 'ready');
      expect(await store.get(keyOf('/v1/models'))).toBeUndefined();
      expect(logs.entries).toEqual([]);
      expect(store.counters().errors).toBe(1);
    });

    it('answers at once without sending anything while disconnected, and serves again once reconnected', async () => {
      const relay = await startTcpRelay(TEST_REDIS_URL);
      try {
        const logs = new LogCapture();
        const clock = new ManualClock();
        const client = await openClient(relay.url, { ...cacheConnectionOptions(), retryStrategy: () => 50 });
        const store = await outageStore(client, logs, clock);
        const key = keyOf('/v1/models');
        expect(await store.set(key, item('/v1/models', MINUTE, clock.now().getTime()))).toBe(true);

        await relay.cut();
        await vi.waitFor(() => {
          expect(client.status).not.toBe('ready');
        }, WAIT);
        for (let index = 0; index < 10; index += 1) {
          // Synchronous answers: a request pays nothing for the outage.
          expect(store.get(key)).toBe(STORE_UNAVAILABLE);
          expect(store.set(key, item('/v1/models', MINUTE, clock.now().getTime()))).toBe(false);
        }
        expect(store.counters().errors).toBe(20);
        const purge = await store.purge({ kind: 'all' }).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(isAppError(purge) && purge.statusCode).toBe(503);
        expect(warnings(logs)).toHaveLength(1);
        expect(warnings(logs)[0]).toMatchObject({ reason: 'disconnected' });

        await relay.restore();
        await vi.waitFor(() => {
          expect(client.status).toBe('ready');
        }, WAIT);
        const read = store.get(key);
        expect(read).toBeInstanceOf(Promise);
        expect(await read).toMatchObject({ kind: 'response', status: 200 });
        expect(infos(logs).map((entry) => entry.msg)).toEqual(['redis cache available again']);
        expect(warnings(logs)).toHaveLength(1);
        expect(logs.text).not.toContain(new URL(relay.url).port);
      } finally {
        await relay.close();
      }
    });

    it('gives up on a stalled Redis within its timeout, then opens its circuit until a trial succeeds', async () => {
      const stall = await startStallingRelay(TEST_REDIS_URL);
      try {
        const logs = new LogCapture();
        const clock = new ManualClock();
        const client = await openClient(stall.url, cacheConnectionOptions());
        const store = await outageStore(client, logs, clock);
        const key = keyOf('/v1/models');
        expect(await store.set(key, item('/v1/models', MINUTE, clock.now().getTime()))).toBe(true);

        stall.stall();
        for (let failure = 1; failure <= 3; failure += 1) {
          const started = performance.now();
          expect(await store.get(key)).toBe(STORE_UNAVAILABLE);
          const waited = performance.now() - started;
          expect(waited).toBeGreaterThanOrEqual(timeoutMs - 5);
          expect(waited).toBeLessThan(timeoutMs + 400);
        }
        // The connection looks healthy, but the circuit is open: nothing is sent, nothing waits.
        expect(client.status).toBe('ready');
        expect(store.get(key)).toBe(STORE_UNAVAILABLE);
        expect(store.set(key, item('/v1/models', MINUTE, clock.now().getTime()))).toBe(false);
        expect(store.counters().errors).toBe(5);
        expect(warnings(logs)).toHaveLength(1);
        expect(warnings(logs)[0]).toMatchObject({ reason: 'timeout', timeoutMs });

        // After the cooldown one trial goes out; it fails too, and the circuit stays open for another cooldown.
        clock.advance(cooldownMs);
        const trial = store.get(key);
        expect(store.get(key)).toBe(STORE_UNAVAILABLE);
        expect(await trial).toBe(STORE_UNAVAILABLE);
        expect(store.get(key)).toBe(STORE_UNAVAILABLE);

        stall.resume();
        clock.advance(cooldownMs);
        expect(await store.get(key)).toMatchObject({ kind: 'response', status: 200 });
        expect(await store.get(key)).toMatchObject({ kind: 'response', status: 200 });
        expect(store.counters().errors).toBe(8);
        expect(warnings(logs)).toHaveLength(1);
        expect(infos(logs).map((entry) => entry.msg)).toEqual(['redis cache available again']);
      } finally {
        await stall.close();
      }
    });

    it('rejects a purge that Redis stops answering, with a 503', async () => {
      const stall = await startStallingRelay(TEST_REDIS_URL);
      try {
        const client = await openClient(stall.url, cacheConnectionOptions());
        const store = await open({ client, timeoutMs, scanStepTimeoutMs: 300 });
        stall.stall();
        const started = performance.now();
        const error = await store.purge({ kind: 'all' }).then(
          () => undefined,
          (reason: unknown) => reason,
        );
        expect(isAppError(error) && error.statusCode).toBe(503);
        expect(performance.now() - started).toBeLessThan(1000);
        stall.resume();
      } finally {
        await stall.close();
      }
    });
  });
});

/** A relay that can hold back what the client sends (a Redis that stalls, its connection still up). */
interface StallingRelay {
  readonly url: string;
  stall(): void;
  /** Delivers what was held back and relays again. */
  resume(): void;
  close(): Promise<void>;
}

async function startStallingRelay(targetUrl: string): Promise<StallingRelay> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  const pipes: { held: Buffer[]; upstream: Socket }[] = [];
  let stalled = false;
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    const pipe = { held: [] as Buffer[], upstream };
    pipes.push(pipe);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    }
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('data', (data: Buffer) => {
      if (stalled) pipe.held.push(data);
      else upstream.write(data);
    });
    upstream.pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.toString(),
    stall() {
      stalled = true;
    },
    resume() {
      stalled = false;
      for (const pipe of pipes) for (const data of pipe.held.splice(0)) pipe.upstream.write(data);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
