import { randomBytes } from 'node:crypto';

import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';

import { openRedisClients } from '../../src/redis/index.js';
import type { RedisClients } from '../../src/redis/index.js';
import { TokenAuthority, createInvalidationBus, invalidatingStore } from '../../src/tokens/index.js';
import type { InvalidationBus, InvalidationEvent } from '../../src/tokens/index.js';
import { LogCapture } from '../helpers/log-capture.js';
import { TEST_REDIS_URL } from '../helpers/service-urls.js';
import { startTcpRelay } from '../helpers/tcp-relay.js';
import type { TcpRelay } from '../helpers/tcp-relay.js';
import { codeOf, storeProjectAndToken } from '../helpers/stored-tokens.js';
import { createTestStore } from '../helpers/test-store.js';
import type { TestStore } from '../helpers/test-store.js';

const WAIT = { timeout: 5000, interval: 5 };

describe.skipIf(!inject('redisAvailable'))('invalidation bus while Redis is unreachable', () => {
  let relay: TcpRelay;
  let testStore: TestStore;
  let clientsA: RedisClients;
  let clientsB: RedisClients;
  let busA: InvalidationBus;
  let busB: InvalidationBus;
  const logsB = new LogCapture();

  beforeAll(async () => {
    const channel = `llm-proxy-test-outage-${randomBytes(6).toString('hex')}`;
    relay = await startTcpRelay(TEST_REDIS_URL);
    testStore = await createTestStore('sqlite');
    const loggerA = pino({ level: 'silent' });
    const loggerB = pino({ level: 'debug' }, logsB);
    clientsA = await openRedisClients({ url: TEST_REDIS_URL, logger: loggerA });
    // Instance B reaches Redis through the relay only.
    clientsB = await openRedisClients({ url: relay.url, logger: loggerB, reconnectMaxDelayMs: 200 });
    busA = createInvalidationBus({ type: 'redis', logger: loggerA, channel, ...clientsA });
    busB = createInvalidationBus({ type: 'redis', logger: loggerB, channel, ...clientsB });
    await Promise.all([busA.ready(), busB.ready()]);
  });
  afterAll(async () => {
    await busA.close();
    await busB.close();
    await clientsA.close();
    await clientsB.close();
    await relay.close();
    await testStore.cleanup();
  });

  const issue = () => storeProjectAndToken(testStore.store);

  const messages = (text: string): number => logsB.entries.filter((entry) => entry.msg === text).length;

  it('keeps publishing locally and serving, logs the outage once, and resyncs after reconnecting', async () => {
    const authority = new TokenAuthority({ store: testStore.store, clock: { now: () => new Date() } });
    busB.subscribe((event) => {
      authority.applyInvalidation(event);
    });
    const managedB = invalidatingStore(testStore.store, busB);
    const onA: InvalidationEvent[] = [];
    const onB: InvalidationEvent[] = [];
    busA.subscribe((event) => onA.push(event));
    busB.subscribe((event) => onB.push(event));
    const revokedHere = await issue();
    const revokedElsewhere = await issue();
    const untouched = await issue();
    for (const { secret } of [revokedHere, revokedElsewhere, untouched]) {
      expect(await codeOf(authority.authenticate(secret))).toBe('ok');
    }

    await relay.cut();
    await vi.waitFor(() => {
      expect(messages('redis unreachable: serving on without it, reconnecting with backoff')).toBe(1);
    }, WAIT);

    // A revocation through B: the management call returns at once and B applies it to its own cache.
    const started = performance.now();
    await managedB.tokens.revoke(revokedHere.token.id);
    expect(performance.now() - started).toBeLessThan(500);
    expect(await codeOf(authority.authenticate(revokedHere.secret))).toBe('token_inactive');
    for (let index = 0; index < 20; index += 1)
      busB.publish({ type: 'token-changed', tokenId: `burst-${index}` });

    // A revocation through A, which B cannot hear: B serves its cached copy (the TTL is the backstop).
    await testStore.store.tokens.revoke(revokedElsewhere.token.id);
    busA.publish({ type: 'token-changed', tokenId: revokedElsewhere.token.id });
    expect(await codeOf(authority.authenticate(revokedElsewhere.secret))).toBe('ok');
    expect(await codeOf(authority.authenticate(untouched.secret))).toBe('ok');
    const fresh = await issue();
    expect(await codeOf(authority.authenticate(fresh.secret))).toBe('ok');
    expect(onB).not.toContainEqual({ type: 'token-changed', tokenId: revokedElsewhere.token.id });

    await relay.restore();
    await vi.waitFor(() => {
      expect(onB).toContainEqual({ type: 'resync' });
      expect(messages('redis reconnected')).toBe(1);
    }, WAIT);
    // What B could not hear is dropped with everything else; what it could not send reaches A now.
    expect(await codeOf(authority.authenticate(revokedElsewhere.secret))).toBe('token_inactive');
    expect(await codeOf(authority.authenticate(untouched.secret))).toBe('ok');
    await vi.waitFor(() => {
      expect(onA).toContainEqual({ type: 'token-changed', tokenId: revokedHere.token.id });
      expect(onA).toContainEqual({ type: 'token-changed', tokenId: 'burst-19' });
    }, WAIT);

    expect(messages('redis unreachable: serving on without it, reconnecting with backoff')).toBe(1);
    expect(
      messages('invalidation events wait for Redis; other instances rely on their token-cache TTL meanwhile'),
    ).toBe(1);
    expect(messages('redis reconnected')).toBe(1);
    expect(onB.filter((event) => event.type === 'resync')).toHaveLength(1);
  });
});
