import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateToken } from '../../src/core/index.js';
import type { Clock } from '../../src/core/index.js';
import type { Store } from '../../src/store/index.js';
import { MemoryInvalidationBus, TokenAuthority, invalidatingStore } from '../../src/tokens/index.js';
import { codeOf, storeProjectAndToken } from '../helpers/stored-tokens.js';
import { createTestStore } from '../helpers/test-store.js';
import type { TestStore } from '../helpers/test-store.js';

class CountingClock implements Clock {
  constructor(public current = Date.now()) {}
  now(): Date {
    return new Date(this.current);
  }
}

describe('token authority', () => {
  let testStore: TestStore;
  let reads = 0;
  let countingStore: Store;

  beforeAll(async () => {
    testStore = await createTestStore('sqlite');
    const { store } = testStore;
    countingStore = {
      ...store,
      migrations: store.migrations,
      audit: store.audit,
      ping: () => store.ping(),
      close: () => store.close(),
      transaction: (work) => store.transaction(work),
      projects: {
        ...bind(store.projects),
        get: (id: string) => {
          reads += 1;
          return store.projects.get(id);
        },
      },
      tokens: {
        ...bind(store.tokens),
        findByHash: (hash: string) => {
          reads += 1;
          return store.tokens.findByHash(hash);
        },
      },
    };
  });
  afterAll(() => testStore.cleanup());

  const issue = (expiresAt: Date | null = null) => storeProjectAndToken(testStore.store, expiresAt);

  it('serves repeated lookups from memory, also for unknown tokens', async () => {
    const authority = new TokenAuthority({ store: countingStore, clock: new CountingClock() });
    const { secret } = await issue();
    reads = 0;
    for (let i = 0; i < 50; i += 1) await authority.authenticate(secret);
    expect(reads).toBe(2);
    const unknown = generateToken();
    expect(await codeOf(authority.authenticate(unknown))).toBe('token_not_found');
    expect(await codeOf(authority.authenticate(unknown))).toBe('token_not_found');
    expect(reads).toBe(3);
  });

  it('sees a revocation made through the invalidating store at once', async () => {
    const authority = new TokenAuthority({ store: testStore.store, clock: new CountingClock() });
    const bus = new MemoryInvalidationBus({ logger: pino({ level: 'silent' }) });
    bus.subscribe((event) => {
      authority.applyInvalidation(event);
    });
    const managed = invalidatingStore(testStore.store, bus);
    const { secret, token, project } = await issue();
    await authority.authenticate(secret);
    await managed.tokens.revoke(token.id);
    expect(await codeOf(authority.authenticate(secret))).toBe('token_inactive');
    await managed.tokens.update(token.id, { isActive: true });
    expect(await codeOf(authority.authenticate(secret))).toBe('ok');
    await managed.transaction((trx) => trx.projects.update(project.id, { isActive: false }));
    // The deactivated project is seen at once; refusing it is the project guard's step (test/proxy/revocation).
    expect((await authority.authenticate(secret)).project.isActive).toBe(false);
  });

  it("sees a project's new cache TTL for POST answers made through the invalidating store at once", async () => {
    const authority = new TokenAuthority({ store: countingStore, clock: new CountingClock() });
    const bus = new MemoryInvalidationBus({ logger: pino({ level: 'silent' }) });
    bus.subscribe((event) => {
      authority.applyInvalidation(event);
    });
    const managed = invalidatingStore(testStore.store, bus);
    const { secret, project } = await issue();
    expect((await authority.authenticate(secret)).project.cachePostTtlSeconds).toBeNull();
    reads = 0;
    expect((await authority.authenticate(secret)).project.cachePostTtlSeconds).toBeNull();
    expect(reads).toBe(0);
    await managed.transaction((trx) => trx.projects.update(project.id, { cachePostTtlSeconds: 900 }));
    expect((await authority.authenticate(secret)).project.cachePostTtlSeconds).toBe(900);
    await managed.projects.update(project.id, { cachePostTtlSeconds: null });
    expect((await authority.authenticate(secret)).project.cachePostTtlSeconds).toBeNull();
  });

  it('keeps what it cached when the response cache is purged', async () => {
    const authority = new TokenAuthority({ store: countingStore, clock: new CountingClock() });
    const { secret, project } = await issue();
    await authority.authenticate(secret);
    reads = 0;
    authority.applyInvalidation({ type: 'cache-purged', selector: { kind: 'all' } });
    authority.applyInvalidation({ type: 'cache-purged', selector: { kind: 'scope', scope: project.id } });
    expect(await codeOf(authority.authenticate(secret))).toBe('ok');
    expect(reads).toBe(0);
  });

  it('asks the database again for everything after a resync', async () => {
    const authority = new TokenAuthority({ store: countingStore, clock: new CountingClock() });
    const first = await issue();
    const second = await issue();
    await authority.authenticate(first.secret);
    await authority.authenticate(second.secret);
    await testStore.store.tokens.revoke(first.token.id);
    await testStore.store.projects.update(second.project.id, { isActive: false });
    expect(await codeOf(authority.authenticate(first.secret))).toBe('ok');
    reads = 0;
    authority.applyInvalidation({ type: 'resync' });
    expect(await codeOf(authority.authenticate(first.secret))).toBe('token_inactive');
    // The project is read again too: its deactivation is seen (refusing it is the project guard's step).
    expect((await authority.authenticate(second.secret)).project.isActive).toBe(false);
    expect(reads).toBe(4);
  });

  it('refuses expired tokens by the clock, without asking the database', async () => {
    const clock = new CountingClock();
    const authority = new TokenAuthority({ store: testStore.store, clock });
    const { secret } = await issue(new Date(clock.current + 60_000));
    expect(await codeOf(authority.authenticate(secret))).toBe('ok');
    clock.current += 61_000;
    expect(await codeOf(authority.authenticate(secret))).toBe('token_expired');
  });

  it('checks the format before any lookup', async () => {
    const authority = new TokenAuthority({ store: countingStore, clock: new CountingClock() });
    reads = 0;
    expect(await codeOf(authority.authenticate('not-a-token'))).toBe('invalid_token');
    expect(reads).toBe(0);
  });

  it('does not cache a lookup that raced with an invalidation', async () => {
    const { secret, token } = await issue();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slowStore = {
      ...countingStore,
      tokens: {
        ...bind(testStore.store.tokens),
        findByHash: async (hash: string) => {
          const found = await testStore.store.tokens.findByHash(hash);
          await gate;
          return found;
        },
      },
    } as Store;
    const authority = new TokenAuthority({ store: slowStore, clock: new CountingClock() });
    const first = authority.authenticate(secret);
    await testStore.store.tokens.revoke(token.id);
    authority.invalidateToken(token.id);
    release();
    expect(await codeOf(first)).toBe('ok');
    expect(await codeOf(authority.authenticate(secret))).toBe('token_inactive');
  });
});

function bind<T extends object>(target: T): T {
  const bound: Record<string, unknown> = {};
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(target))) {
    const value = (target as Record<string, unknown>)[name];
    if (name !== 'constructor' && typeof value === 'function') bound[name] = value.bind(target);
  }
  return bound as T;
}
