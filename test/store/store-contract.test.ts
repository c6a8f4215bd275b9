import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateToken, hashToken, newId, tokenPreview } from '../../src/core/index.js';
import { DuplicateProjectNameError } from '../../src/store/index.js';
import type { AuditEventRecord, Store } from '../../src/store/index.js';
import { TEST_DIALECTS, createTestStore } from '../helpers/test-store.js';
import type { TestStore } from '../helpers/test-store.js';

function auditEvent(overrides: Partial<AuditEventRecord> = {}): AuditEventRecord {
  return {
    id: newId(),
    timestamp: new Date(),
    action: 'project.create',
    actor: 'management_api',
    projectId: null,
    requestId: null,
    correlationId: null,
    clientIp: '10.0.0.1',
    method: 'POST',
    path: '/manage/projects',
    userAgent: 'vitest',
    outcome: 'success',
    reason: null,
    tokenId: null,
    metadata: null,
    ...overrides,
  };
}

describe.each(TEST_DIALECTS)('store contract on %s', (dialect) => {
  let testStore: TestStore;
  let store: Store;

  beforeAll(async () => {
    testStore = await createTestStore(dialect);
    store = testStore.store;
  });
  afterAll(() => testStore.cleanup());

  describe('projects', () => {
    it('creates, reads back and lists projects ordered by name', async () => {
      const b = await store.projects.create({ name: 'beta', apiKey: 'sk-beta-key-0123456789' });
      const a = await store.projects.create({
        name: 'alpha ✓ 日本',
        apiKey: "sk-'; DROP TABLE projects; --",
      });
      expect(await store.projects.get(b.id)).toEqual(b);
      const names = (await store.projects.list()).map((project) => project.name);
      expect(names.indexOf('alpha ✓ 日本')).toBeLessThan(names.indexOf('beta'));
      expect((await store.projects.get(a.id))?.apiKey).toBe("sk-'; DROP TABLE projects; --");
      expect(b.provider).toBeNull();
      const c = await store.projects.create({ name: 'gamma', apiKey: 'k', provider: 'anthropic' });
      expect((await store.projects.get(c.id))?.provider).toBe('anthropic');
      expect((await store.projects.update(c.id, { provider: null }))?.provider).toBeNull();
    });

    it('refuses a second project with the same name', async () => {
      await store.projects.create({ name: 'unique-name', apiKey: 'k1' });
      await expect(store.projects.create({ name: 'unique-name', apiKey: 'k2' })).rejects.toBeInstanceOf(
        DuplicateProjectNameError,
      );
    });

    it('sets deactivated_at on deactivation and clears it on reactivation', async () => {
      const project = await store.projects.create({ name: 'toggle', apiKey: 'k' });
      const off = await store.projects.update(project.id, { isActive: false });
      expect(off?.isActive).toBe(false);
      expect(off?.deactivatedAt).toBeInstanceOf(Date);
      const on = await store.projects.update(project.id, { isActive: true });
      expect(on?.isActive).toBe(true);
      expect(on?.deactivatedAt).toBeNull();
    });

    it('keeps a cache TTL for POST answers, changes it alone and clears it with null', async () => {
      const plain = await store.projects.create({ name: 'no-post-cache', apiKey: 'k' });
      expect(plain.cachePostTtlSeconds).toBeNull();
      expect((await store.projects.get(plain.id))?.cachePostTtlSeconds).toBeNull();
      const project = await store.projects.create({
        name: 'post-cache',
        apiKey: 'k',
        cachePostTtlSeconds: 3600,
      });
      expect(project.cachePostTtlSeconds).toBe(3600);
      expect(await store.projects.get(project.id)).toEqual(project);
      const longer = await store.projects.update(project.id, { cachePostTtlSeconds: 31_536_000 });
      expect(longer).toMatchObject({ cachePostTtlSeconds: 31_536_000, name: 'post-cache', apiKey: 'k' });
      const renamed = await store.projects.update(project.id, { name: 'post-cache-renamed' });
      expect(renamed?.cachePostTtlSeconds).toBe(31_536_000);
      expect(
        (await store.projects.update(project.id, { cachePostTtlSeconds: null }))?.cachePostTtlSeconds,
      ).toBeNull();
      expect((await store.projects.get(project.id))?.cachePostTtlSeconds).toBeNull();
    });

    it('answers undefined for an unknown project', async () => {
      expect(await store.projects.get(newId())).toBeUndefined();
      expect(await store.projects.update(newId(), { name: 'x' })).toBeUndefined();
    });
  });

  describe('tokens', () => {
    it('stores only the hash and finds the token by it', async () => {
      const project = await store.projects.create({ name: 'tok-project', apiKey: 'k' });
      const secret = generateToken();
      const created = await store.tokens.create({
        projectId: project.id,
        tokenHash: hashToken(secret),
        preview: tokenPreview(secret),
        expiresAt: new Date(Date.now() + 60_000),
        maxRequests: 5,
      });
      const found = await store.tokens.findByHash(hashToken(secret));
      expect(found).toEqual(created);
      expect(found?.tokenHash).not.toContain(secret.slice(3));
      expect(await store.tokens.findByHash(secret)).toBeUndefined();
    });

    it('lists newest first, filters by project and activity', async () => {
      const project = await store.projects.create({ name: 'list-project', apiKey: 'k' });
      const ids: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        const secret = generateToken();
        const token = await store.tokens.create({
          projectId: project.id,
          tokenHash: hashToken(secret),
          preview: tokenPreview(secret),
          expiresAt: null,
          maxRequests: null,
        });
        ids.push(token.id);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await store.tokens.revoke(ids[0]!);
      const listed = await store.tokens.list({ projectId: project.id });
      expect(listed.map((token) => token.id)).toEqual([...ids].reverse());
      const active = await store.tokens.list({ projectId: project.id, activeOnly: true });
      expect(active.map((token) => token.id).sort()).toEqual([ids[1], ids[2]].sort());
    });

    it('persists deactivated_at on revoke and keeps the first revocation time', async () => {
      const project = await store.projects.create({ name: 'revoke-project', apiKey: 'k' });
      const token = await store.tokens.create({
        projectId: project.id,
        tokenHash: hashToken(generateToken()),
        preview: null as unknown as string,
        expiresAt: null,
        maxRequests: null,
      });
      expect(await store.tokens.revoke(token.id)).toEqual({ alreadyRevoked: false });
      const first = (await store.tokens.get(token.id))?.deactivatedAt;
      expect(first).toBeInstanceOf(Date);
      expect(await store.tokens.revoke(token.id)).toEqual({ alreadyRevoked: true });
      expect((await store.tokens.get(token.id))?.deactivatedAt).toEqual(first);
      const reactivated = await store.tokens.update(token.id, { isActive: true });
      expect(reactivated?.isActive).toBe(true);
      expect(reactivated?.deactivatedAt).toBeNull();
      expect(await store.tokens.revoke(newId())).toBeUndefined();
    });

    it('updates only the given columns', async () => {
      const project = await store.projects.create({ name: 'update-project', apiKey: 'k' });
      const token = await store.tokens.create({
        projectId: project.id,
        tokenHash: hashToken(generateToken()),
        preview: 'p',
        expiresAt: null,
        maxRequests: 3,
      });
      const updated = await store.tokens.update(token.id, { maxRequests: null });
      expect(updated?.maxRequests).toBeNull();
      expect(updated?.isActive).toBe(true);
    });

    it('revokes every active token of a project and reports counts', async () => {
      const project = await store.projects.create({ name: 'bulk-project', apiKey: 'k' });
      const tokens = [];
      for (let i = 0; i < 3; i += 1) {
        tokens.push(
          await store.tokens.create({
            projectId: project.id,
            tokenHash: hashToken(generateToken()),
            preview: 'p',
            expiresAt: null,
            maxRequests: null,
          }),
        );
      }
      await store.tokens.revoke(tokens[0]!.id);
      expect(await store.tokens.revokeForProject(project.id)).toEqual({
        revoked: 2,
        alreadyRevoked: 1,
        total: 3,
      });
      expect(await store.tokens.revokeForProject(project.id)).toEqual({
        revoked: 0,
        alreadyRevoked: 3,
        total: 3,
      });
    });
  });

  describe('audit events', () => {
    it('filters exactly, searches substrings (wildcards literal) and pages newest first', async () => {
      const base = Date.parse('2030-01-01T00:00:00.000Z');
      for (let i = 0; i < 25; i += 1) {
        await store.audit.insert(
          auditEvent({
            action: 'audit.paging',
            timestamp: new Date(base + i * 1000),
            reason: i === 7 ? 'quota 50% reached' : null,
            outcome: i % 2 === 0 ? 'success' : 'failure',
          }),
        );
      }
      const page1 = await store.audit.list({ action: 'audit.paging' }, 1, 10);
      expect(page1.totalCount).toBe(25);
      expect(page1.events).toHaveLength(10);
      expect(page1.events[0]?.timestamp.toISOString()).toBe('2030-01-01T00:00:24.000Z');
      const page3 = await store.audit.list({ action: 'audit.paging' }, 3, 10);
      expect(page3.events).toHaveLength(5);
      expect(
        (await store.audit.list({ action: 'audit.paging', outcome: 'failure' }, 1, 100)).totalCount,
      ).toBe(12);
      const search = await store.audit.list({ search: 'QUOTA 50%' }, 1, 10);
      expect(search.events.map((event) => event.reason)).toEqual(['quota 50% reached']);
      expect((await store.audit.list({ search: '5_%' }, 1, 10)).totalCount).toBe(0);
    });

    it('filters by time range', async () => {
      const base = Date.parse('2031-06-01T12:00:00.000Z');
      for (let i = 0; i < 5; i += 1) {
        await store.audit.insert(
          auditEvent({ action: 'audit.time', timestamp: new Date(base + i * 60_000) }),
        );
      }
      const middle = await store.audit.list(
        {
          action: 'audit.time',
          startTime: new Date(base + 60_000),
          endTime: new Date(base + 3 * 60_000),
        },
        1,
        100,
      );
      expect(middle.totalCount).toBe(3);
    });

    it('reads one event back unchanged', async () => {
      const event = auditEvent({
        metadata: JSON.stringify({ a: 1 }),
        timestamp: new Date('2029-02-03T04:05:06.789Z'),
      });
      await store.audit.insert(event);
      expect(await store.audit.get(event.id)).toEqual(event);
      expect(await store.audit.get(newId())).toBeUndefined();
    });
  });

  it('runs work in a transaction that rolls back on error', async () => {
    await expect(
      store.transaction(async (trx) => {
        await trx.projects.create({ name: 'rolled-back', apiKey: 'k' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await store.projects.list()).some((project) => project.name === 'rolled-back')).toBe(false);
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

describe.each(TEST_DIALECTS)('token quotas on %s', (dialect) => {
  let testStore: TestStore;
  beforeAll(async () => {
    testStore = await createTestStore(dialect);
  });
  afterAll(() => testStore.cleanup());

  async function tokenWith(maxRequests: number | null, expiresAt: Date | null = null) {
    const { store } = testStore;
    const project = await store.projects.create({ name: `quota-${newId()}`, apiKey: 'k' });
    return store.tokens.create({
      projectId: project.id,
      tokenHash: hashToken(generateToken()),
      preview: 'p',
      expiresAt,
      maxRequests,
    });
  }

  it('counts exactly max_requests under 200 concurrent consumers', async () => {
    const token = await tokenWith(10);
    const now = new Date();
    const results = await Promise.all(
      Array.from({ length: 200 }, () => testStore.store.tokens.consumeRequest(token.id, now)),
    );
    expect(results.filter(Boolean)).toHaveLength(10);
    const stored = await testStore.store.tokens.get(token.id);
    expect(stored?.requestCount).toBe(10);
    expect(stored?.lastUsedAt?.getTime()).toBe(now.getTime());
  });

  it('refuses revoked and expired tokens and refunds without going negative', async () => {
    const revoked = await tokenWith(5);
    await testStore.store.tokens.revoke(revoked.id);
    expect(await testStore.store.tokens.consumeRequest(revoked.id, new Date())).toBe(false);
    const expired = await tokenWith(null, new Date(Date.now() - 1000));
    expect(await testStore.store.tokens.consumeRequest(expired.id, new Date())).toBe(false);
    const limited = await tokenWith(1);
    expect(await testStore.store.tokens.consumeRequest(limited.id, new Date())).toBe(true);
    expect(await testStore.store.tokens.consumeRequest(limited.id, new Date())).toBe(false);
    await testStore.store.tokens.refundRequest(limited.id);
    await testStore.store.tokens.refundRequest(limited.id);
    expect((await testStore.store.tokens.get(limited.id))?.requestCount).toBe(0);
  });

  it('adds batched usage without losing concurrent increments', async () => {
    const token = await tokenWith(null);
    const when = new Date('2030-05-05T05:05:05.000Z');
    await Promise.all([
      testStore.store.tokens.addUsage([{ id: token.id, requests: 3, cacheHits: 2, lastUsedAt: when }]),
      testStore.store.tokens.consumeRequest(token.id, when),
      testStore.store.tokens.addUsage([{ id: token.id, requests: 4, cacheHits: 5, lastUsedAt: when }]),
    ]);
    const stored = await testStore.store.tokens.get(token.id);
    expect(stored?.requestCount).toBe(8);
    expect(stored?.cacheHitCount).toBe(7);
  });
});
