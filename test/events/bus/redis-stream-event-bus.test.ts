import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';

import {
  RedisStreamPublisher,
  RedisStreamSource,
  createEventBus,
  listDeadLetters,
  replayDeadLetters,
  replayStreamRange,
} from '../../../src/events/index.js';
import type { ProxyEvent, RedisStreamPublisherOptions } from '../../../src/events/index.js';
import { TEST_REDIS_URL } from '../../helpers/service-urls.js';
import { startTcpRelay } from '../../helpers/tcp-relay.js';
import { proxyEvent } from '../event-fixtures.js';
import { collect, eventBusContract, events } from './event-bus-contract.js';

const available = inject('redisAvailable');
const logger = pino({ level: 'silent' });
const TIMINGS = { blockMs: 50, claimTimeMs: 200 } as const;
const WAIT = { timeout: 5000, interval: 10 };

let redis: Redis;
let directory: string;
/** Stream keys the tests created, deleted (with their dead letters) after each test. */
const keys: string[] = [];

const newKey = (): string => {
  const key = `llm-proxy-test-events-${randomBytes(6).toString('hex')}`;
  keys.push(key);
  return key;
};
const newSpoolPath = (): string => join(directory, `${randomBytes(6).toString('hex')}.jsonl`);

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'llm-proxy-event-bus-'));
  if (available) redis = new Redis(TEST_REDIS_URL);
});
afterAll(async () => {
  if (available) {
    if (keys.length > 0) await redis.del(...keys.flatMap((key) => [key, `${key}:dead`]));
    await redis.quit();
  }
  await rm(directory, { recursive: true, force: true });
});

eventBusContract({
  name: 'redis-streams',
  available,
  open({ maxAttempts }) {
    const bus = createEventBus(
      { type: 'redis-streams', streamKey: newKey(), maxAttempts, spoolPath: newSpoolPath(), ...TIMINGS },
      { logger, redis },
    );
    return Promise.resolve({
      publisher: bus.publisher,
      source: (group, consumer) => bus.source(group, consumer),
      deadLetters: () => bus.deadLetters(),
      close: () => bus.close(),
    });
  },
});

/** The event ids of the stream's entries, oldest first. */
async function streamIds(key: string): Promise<string[]> {
  const entries = await redis.xrange(key, '-', '+');
  return entries.map(([, fields]) => (JSON.parse(fields[1] ?? '') as ProxyEvent).id);
}

/** Bytes of what is left in a spool (its active and its draining file). */
async function spoolBytes(path: string): Promise<number> {
  const sizes = await Promise.all(
    [path, `${path}.draining`].map((file) =>
      stat(file).then(
        (info) => info.size,
        () => 0,
      ),
    ),
  );
  return sizes[0]! + sizes[1]!;
}

describe.skipIf(!available)('redis streams event bus', () => {
  const closers: (() => Promise<unknown>)[] = [];
  beforeEach(() => {
    closers.length = 0;
  });
  afterEach(async () => {
    for (const close of closers.reverse()) await close();
  });

  const publisherOn = (options: Partial<RedisStreamPublisherOptions> & { streamKey: string }) => {
    const publisher = new RedisStreamPublisher({
      client: redis,
      logger,
      spoolPath: newSpoolPath(),
      retryIntervalMs: 50,
      ...options,
    });
    closers.push(() => publisher.close());
    return publisher;
  };
  const sourceOn = (streamKey: string, consumer: string, maxAttempts = 5) => {
    const source = new RedisStreamSource({
      client: redis,
      logger,
      streamKey,
      group: 'dispatchers',
      consumer,
      maxAttempts,
      ...TIMINGS,
    });
    closers.push(() => source.close());
    return source;
  };

  it('hands the entries of a consumer that read and died to another consumer after the claim time', async () => {
    const key = newKey();
    const publisher = publisherOn({ streamKey: key });
    for (const event of events('orphan', 3)) publisher.publish(event);
    const dying = sourceOn(key, 'dying');
    const read = await collect(dying, 3);
    await dying.close();

    const survivor = sourceOn(key, 'survivor');
    const claimed = await collect(survivor, 3);
    expect(claimed.map(({ id }) => id)).toEqual(read.map(({ id }) => id));
    expect(claimed.map(({ attempts }) => attempts)).toEqual([2, 2, 2]);
    const owners = await redis.xpending(key, 'dispatchers', '-', '+', 10);
    expect((owners as [string, string][]).map(([, consumer]) => consumer)).toEqual([
      'survivor',
      'survivor',
      'survivor',
    ]);
  });

  it('re-reads its own pending entries at once after a restart under the same name', async () => {
    const key = newKey();
    const publisher = publisherOn({ streamKey: key });
    publisher.publish(proxyEvent({ id: 'in-flight' }));
    const before = sourceOn(key, 'dispatcher-1');
    const [read] = await collect(before, 1);
    await before.close();
    const after = sourceOn(key, 'dispatcher-1');
    const started = Date.now();
    const [again] = await after.next(10);
    expect(Date.now() - started).toBeLessThan(TIMINGS.claimTimeMs);
    expect(again).toMatchObject({ id: read!.id, attempts: 2, event: { id: 'in-flight' } });
  });

  it('dead-letters an entry delivered more than maxAttempts times without an answer', async () => {
    const key = newKey();
    publisherOn({ streamKey: key }).publish(proxyEvent({ id: 'crashes-consumers' }));
    for (const name of ['a', 'b']) {
      const crashing = sourceOn(key, name, 2);
      expect(await collect(crashing, 1)).toHaveLength(1);
      await crashing.close();
    }
    const third = sourceOn(key, 'c', 2);
    await new Promise((resolve) => setTimeout(resolve, TIMINGS.claimTimeMs + 50));
    expect(await third.next(10)).toEqual([]);
    expect(await third.pending()).toBe(0);
    const [letter] = await listDeadLetters(redis, { key });
    expect(letter).toMatchObject({ attempts: 3, event: { id: 'crashes-consumers' } });
    expect(letter!.reason).toContain('without an acknowledgement');
  });

  it('trims the stream to about MAXLEN entries', async () => {
    const key = newKey();
    const publisher = publisherOn({ streamKey: key, maxLen: 100 });
    for (const event of events('trim', 1000)) publisher.publish(event);
    await vi.waitFor(() => {
      expect(publisher.stats().published).toBe(1000);
    }, WAIT);
    const length = await redis.xlen(key);
    // `~` trims whole macro nodes only: a little more than MAXLEN may stay, never less.
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThan(300);
    expect((await streamIds(key)).at(-1)).toBe('trim-999');
  });

  it('passes a burst larger than the buffer through the spool without losing or reordering events', async () => {
    const key = newKey();
    const spoolPath = newSpoolPath();
    const publisher = publisherOn({ streamKey: key, spoolPath, bufferSize: 5, batchSize: 4 });
    const burst = events('burst', 23);
    for (const event of burst) publisher.publish(event);
    await vi.waitFor(async () => {
      expect(await streamIds(key)).toEqual(burst.map(({ id }) => id));
    }, WAIT);
    expect(publisher.stats()).toEqual({ published: 23, dropped: 0, spooled: 0 });
    expect(await spoolBytes(spoolPath)).toBe(0);
  });

  it('writes what is buffered to the stream on close', async () => {
    const key = newKey();
    const publisher = new RedisStreamPublisher({
      client: redis,
      logger,
      streamKey: key,
      spoolPath: newSpoolPath(),
    });
    for (const event of events('closing', 3)) publisher.publish(event);
    await publisher.close();
    expect(await streamIds(key)).toEqual(['closing-000', 'closing-001', 'closing-002']);
  });

  describe('while Redis is unreachable', () => {
    const throughRelay = async () => {
      const relay = await startTcpRelay(TEST_REDIS_URL);
      const client = new Redis(relay.url, { retryStrategy: () => 50, maxRetriesPerRequest: 1 });
      client.on('error', () => undefined);
      closers.push(async () => {
        client.disconnect();
        await relay.close();
      });
      await vi.waitFor(() => {
        expect(client.status).toBe('ready');
      }, WAIT);
      return { relay, client };
    };

    it('keeps publishing while Redis is away, spools the events, and sends all of them in order once it is back', async () => {
      const key = newKey();
      const spoolPath = newSpoolPath();
      const { relay, client } = await throughRelay();
      const publisher = publisherOn({ client, streamKey: key, spoolPath, batchSize: 7 });
      for (const event of events('before', 3)) publisher.publish(event);
      await vi.waitFor(async () => {
        expect(await redis.xlen(key)).toBe(3);
      }, WAIT);

      await relay.cut();
      await vi.waitFor(() => {
        expect(client.status).not.toBe('ready');
      }, WAIT);
      const during = events('during', 40);
      for (const event of during) publisher.publish(event);
      await vi.waitFor(() => {
        expect(publisher.stats().spooled).toBe(40);
      }, WAIT);
      const spooled = (await readFile(spoolPath, 'utf8')).trim().split('\n');
      expect(spooled.map((line) => (JSON.parse(line) as ProxyEvent).id)).toEqual(during.map(({ id }) => id));

      await relay.restore();
      for (const event of events('after', 2)) publisher.publish(event);
      await vi.waitFor(async () => {
        expect(await redis.xlen(key)).toBe(45);
      }, WAIT);
      expect(await streamIds(key)).toEqual(
        [...events('before', 3), ...during, ...events('after', 2)].map(({ id }) => id),
      );
      // The counters follow the XADD replies, which may still be on their way when the entries are readable.
      await vi.waitFor(async () => {
        expect(publisher.stats()).toEqual({ published: 45, dropped: 0, spooled: 0 });
        expect(await spoolBytes(spoolPath)).toBe(0);
      }, WAIT);
    });

    it('drops and counts only what no longer fits a full spool', async () => {
      const key = newKey();
      const spoolPath = newSpoolPath();
      const { relay, client } = await throughRelay();
      const lineBytes = Buffer.byteLength(JSON.stringify(events('full', 1)[0])) + 1;
      const publisher = publisherOn({ client, streamKey: key, spoolPath, spoolMaxBytes: lineBytes * 3 + 10 });
      await relay.cut();
      await vi.waitFor(() => {
        expect(client.status).not.toBe('ready');
      }, WAIT);
      for (const event of events('full', 10)) publisher.publish(event);
      await vi.waitFor(() => {
        expect(publisher.stats()).toEqual({ published: 0, dropped: 7, spooled: 3 });
      }, WAIT);
      await relay.restore();
      await vi.waitFor(async () => {
        expect(await streamIds(key)).toEqual(['full-000', 'full-001', 'full-002']);
      }, WAIT);
    });
  });

  it('drains a spool an earlier process left — the older segment first — and skips a torn line', async () => {
    const key = newKey();
    const spoolPath = newSpoolPath();
    const line = (id: string): string => JSON.stringify(proxyEvent({ id }));
    // A crash in the middle of a drain leaves the segment being drained and the newer file behind it.
    await writeFile(`${spoolPath}.draining`, `${line('older-1')}\n${line('older-2')}\n`);
    await writeFile(spoolPath, `${line('newer-1')}\n{"id":"torn`);
    const publisher = publisherOn({ streamKey: key, spoolPath });
    publisher.publish(proxyEvent({ id: 'live' }));
    await vi.waitFor(async () => {
      expect(await streamIds(key)).toEqual(['older-1', 'older-2', 'newer-1', 'live']);
    }, WAIT);
    expect(publisher.stats()).toMatchObject({ published: 4, dropped: 1, spooled: 0 });
    expect(await spoolBytes(spoolPath)).toBe(0);
  });

  it('replays a range of the stream as new entries', async () => {
    const key = newKey();
    const publisher = publisherOn({ streamKey: key });
    for (const event of events('range', 5)) publisher.publish(event);
    await vi.waitFor(async () => {
      expect(await redis.xlen(key)).toBe(5);
    }, WAIT);
    const entryIds = (await redis.xrange(key, '-', '+')).map(([id]) => id);
    expect(await replayStreamRange(redis, { key, from: entryIds[1]!, to: entryIds[3]! })).toBe(3);
    expect((await streamIds(key)).slice(5)).toEqual(['range-001', 'range-002', 'range-003']);
    // An open end stops at the last entry there was: the replay does not chase its own entries.
    expect(await replayStreamRange(redis, { key, from: '-', to: '+' })).toBe(8);
    expect(await redis.xlen(key)).toBe(16);
    expect(await replayStreamRange(redis, { key, from: '-', to: '+', count: 2 })).toBe(2);
  });

  it('lists dead letters and moves them back to the stream, where they are delivered again', async () => {
    const key = newKey();
    const publisher = publisherOn({ streamKey: key });
    for (const event of events('dead', 2)) publisher.publish(event);
    const source = sourceOn(key, 'one');
    const got = await collect(source, 2);
    await source.fail(got, 'backend said 422', true);
    const letters = await listDeadLetters(redis, { key });
    expect(letters.map(({ event, reason, attempts }) => [event.id, reason, attempts])).toEqual([
      ['dead-000', 'backend said 422', 1],
      ['dead-001', 'backend said 422', 1],
    ]);

    expect(await replayDeadLetters(redis, { key, ids: [letters[1]!.id] })).toBe(1);
    expect((await listDeadLetters(redis, { key })).map(({ event }) => event.id)).toEqual(['dead-000']);
    const [redelivered] = await collect(source, 1);
    expect(redelivered).toMatchObject({ attempts: 1, event: { id: 'dead-001' } });
    expect(redelivered!.id).not.toBe(got[1]!.id);

    expect(await replayDeadLetters(redis, { key })).toBe(1);
    expect(await listDeadLetters(redis, { key })).toEqual([]);
    expect((await collect(source, 1)).map(({ event }) => event.id)).toEqual(['dead-000']);
  });

  it('moves a message that is not an event to the dead letters instead of acknowledging it silently', async () => {
    const key = newKey();
    await redis.xadd(key, '*', 'data', 'not json');
    await redis.xadd(key, '*', 'other', 'field');
    await redis.xadd(key, '*', 'data', JSON.stringify(proxyEvent({ id: 'fine' })));
    const source = sourceOn(key, 'one');
    const got = await collect(source, 1);
    expect(got.map(({ event }) => event.id)).toEqual(['fine']);
    await source.ack([got[0]!.id]);
    expect(await source.pending()).toBe(0);
    const dead = await redis.xrange(`${key}:dead`, '-', '+');
    expect(dead.map(([, fields]) => fields.slice(0, 4))).toEqual([
      ['data', 'not json', 'reason', 'not an event: unparseable message'],
      ['data', '', 'reason', 'not an event: unparseable message'],
    ]);
    // Not an event: nothing to list or replay, but kept for an operator to inspect.
    expect(await listDeadLetters(redis, { key })).toEqual([]);
    expect(await replayDeadLetters(redis, { key })).toBe(0);
  });
});
