import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiKeyCipher, generateToken, hashToken, newId, tokenPreview } from '../../src/core/index.js';
import { DuplicateProjectNameError, ZERO_USAGE, addUsageCounts, openStore } from '../../src/store/index.js';
import type { AuditEventRecord, Store, UsageBucket, UsageDelta } from '../../src/store/index.js';
import { createTestDatabase } from '../helpers/test-database.js';
import type { TestDatabase } from '../helpers/test-database.js';
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

describe.each(TEST_DIALECTS)('usage rows on %s', (dialect) => {
  let database: TestDatabase;
  let stores: Store[];
  const hourOf = (iso: string) => new Date(iso);
  const delta = (overrides: Partial<UsageDelta> = {}): UsageDelta => ({
    projectId: 'project-a',
    tokenId: 'token-a',
    model: 'gpt-4o',
    hour: hourOf('2025-03-01T10:00:00.000Z'),
    requests: 1,
    inputTokens: 100,
    outputTokens: 20,
    cachedTokens: 40,
    reasoningTokens: 5,
    cacheHits: 0,
    errors: 0,
    estimatedRequests: 0,
    unpricedRequests: 0,
    costUsd: 0.125,
    ...overrides,
  });
  const range = {
    from: new Date('2025-03-01T00:00:00.000Z'),
    to: new Date('2025-03-03T00:00:00.000Z'),
  };

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    stores = [];
    for (let i = 0; i < 4; i += 1) {
      stores.push(await openStore({ database: database.config, cipher: createApiKeyCipher(undefined) }));
    }
    await stores[0]!.migrations.latest();
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    await database.cleanup();
  });

  it('adds to existing rows instead of replacing them, and rounds times down to the hour', async () => {
    const store = stores[0]!;
    await store.usage.add([delta({ projectId: 'additive' })]);
    await store.usage.add([
      delta({ projectId: 'additive', hour: hourOf('2025-03-01T10:59:59.999Z'), errors: 1 }),
      delta({ projectId: 'additive', hour: hourOf('2025-03-01T10:01:00.000Z'), cacheHits: 1 }),
    ]);
    const report = await store.usage.query({ ...range, projectId: 'additive', groupBy: 'hour' });
    expect(report.buckets).toEqual([
      {
        periodStart: hourOf('2025-03-01T10:00:00.000Z'),
        requests: 3,
        inputTokens: 300,
        outputTokens: 60,
        cachedTokens: 120,
        reasoningTokens: 15,
        cacheHits: 1,
        errors: 1,
        estimatedRequests: 0,
        unpricedRequests: 0,
        costUsd: 0.375,
      },
    ]);
    const { periodStart, ...counts } = report.buckets[0]!;
    expect(periodStart).toEqual(hourOf('2025-03-01T10:00:00.000Z'));
    expect(report.totals).toEqual(counts);
    expect(report.truncated).toBe(false);
  });

  it('groups by hour or UTC day, filters, breaks down and sums the totals', async () => {
    const store = stores[0]!;
    await store.usage.add([
      delta({ projectId: 'grouped', hour: hourOf('2025-03-01T23:00:00.000Z') }),
      delta({ projectId: 'grouped', hour: hourOf('2025-03-02T00:00:00.000Z'), model: 'claude-sonnet-4' }),
      delta({ projectId: 'grouped', hour: hourOf('2025-03-02T05:00:00.000Z'), tokenId: 'token-b' }),
      delta({ projectId: 'grouped', hour: hourOf('2025-03-02T05:00:00.000Z'), model: '', tokenId: '' }),
      delta({
        projectId: 'grouped',
        hour: hourOf('2025-03-02T06:00:00.000Z'),
        model: 'mystery',
        unpricedRequests: 1,
        costUsd: 0,
      }),
      delta({ projectId: 'grouped', hour: hourOf('2025-03-03T00:00:00.000Z') }),
      delta({ projectId: 'other', hour: hourOf('2025-03-02T05:00:00.000Z') }),
    ]);
    const byDay = await store.usage.query({ ...range, projectId: 'grouped', groupBy: 'day' });
    expect(byDay.buckets.map((bucket) => [bucket.periodStart.toISOString(), bucket.requests])).toEqual([
      ['2025-03-01T00:00:00.000Z', 1],
      ['2025-03-02T00:00:00.000Z', 4],
    ]);
    expect(byDay.totals).toMatchObject({ requests: 5, inputTokens: 500, unpricedRequests: 1 });
    expect(byDay.totals.costUsd).toBeCloseTo(0.5, 10);
    expect(byDay.unpricedModels).toEqual(['mystery']);

    const byHour = await store.usage.query({ ...range, projectId: 'grouped', groupBy: 'hour' });
    expect(byHour.buckets.map((bucket) => bucket.periodStart.toISOString())).toEqual([
      '2025-03-01T23:00:00.000Z',
      '2025-03-02T00:00:00.000Z',
      '2025-03-02T05:00:00.000Z',
      '2025-03-02T06:00:00.000Z',
    ]);

    const byModel = await store.usage.query({
      ...range,
      projectId: 'grouped',
      groupBy: 'day',
      by: ['model', 'token'],
    });
    expect(
      byModel.buckets.map((b) => [b.periodStart.toISOString().slice(0, 10), b.model, b.tokenId]),
    ).toEqual([
      ['2025-03-01', 'gpt-4o', 'token-a'],
      ['2025-03-02', null, null],
      ['2025-03-02', 'claude-sonnet-4', 'token-a'],
      ['2025-03-02', 'gpt-4o', 'token-b'],
      ['2025-03-02', 'mystery', 'token-a'],
    ]);
    expect(byModel.buckets[0]).not.toHaveProperty('projectId');

    const oneToken = await store.usage.query({ ...range, tokenId: 'token-b', groupBy: 'hour' });
    expect(oneToken.totals.requests).toBe(1);
    const oneModel = await store.usage.query({ ...range, model: 'gpt-4o', groupBy: 'day', by: ['project'] });
    expect(oneModel.buckets.map((b) => [b.projectId, b.requests])).toEqual([
      ['additive', 3],
      ['grouped', 1],
      ['grouped', 1],
      ['other', 1],
    ]);
  });

  it('by day and over a range, sums whole days and the hours at either end exactly as the hours do', async () => {
    const store = stores[0]!;
    const start = Date.parse('2025-06-01T00:00:00.000Z');
    const rows: UsageDelta[] = [];
    for (let hour = 0; hour < 4 * 24; hour += 1) {
      for (const [index, projectId] of ['split-a', 'split-b', 'split-c'].entries()) {
        if ((hour + index) % 3 === 0) continue;
        rows.push(
          delta({
            projectId,
            tokenId: hour % 2 === 0 ? 'token-a' : '',
            model: (hour + index) % 4 === 0 ? 'unpriced-x' : 'gpt-4o',
            hour: new Date(start + hour * 3_600_000),
            requests: 1 + ((hour * 7 + index) % 5),
            unpricedRequests: (hour + index) % 4 === 0 ? 1 : 0,
          }),
        );
      }
    }
    await store.usage.add(rows);
    const by = ['project', 'token', 'model'] as const;
    const ranges = [
      ['2025-06-01T05:00:00.000Z', '2025-06-04T17:00:00.000Z'],
      ['2025-06-01T00:00:00.000Z', '2025-06-03T00:00:00.000Z'],
      ['2025-06-02T03:00:00.000Z', '2025-06-02T09:00:00.000Z'],
      ['2025-06-01T13:30:00.000Z', '2025-06-03T00:00:00.000Z'],
    ];
    for (const [from, to] of ranges) {
      const query = { from: new Date(from!), to: new Date(to!), by };
      const hours = await store.usage.query({ ...query, groupBy: 'hour' });
      for (const groupBy of ['day', 'all'] as const) {
        const report = await store.usage.query({ ...query, groupBy });
        expect(report.buckets).toEqual(sumHoursInto(hours.buckets, groupBy, query.from));
        expect(report.totals.requests).toBe(hours.totals.requests);
        expect(report.unpricedModels).toEqual(hours.unpricedModels);
      }
    }

    // Cut short: the first buckets are whole, and the totals are still the range's.
    const query = {
      from: new Date(ranges[0]![0]!),
      to: new Date(ranges[0]![1]!),
      by,
      groupBy: 'day',
    } as const;
    const whole = await store.usage.query(query);
    const cut = await store.usage.query({ ...query, limit: 5 });
    expect(cut.buckets).toEqual(whole.buckets.slice(0, 5));
    expect(cut.truncated).toBe(true);
    expect(cut.totals).toEqual(whole.totals);
    expect(cut.unpricedModels).toEqual(['unpriced-x']);
  });

  it('answers zero totals for a range without usage, and says when it cut the buckets', async () => {
    const store = stores[0]!;
    const empty = await store.usage.query({
      from: new Date('2020-01-01T00:00:00.000Z'),
      to: new Date('2020-01-02T00:00:00.000Z'),
      groupBy: 'hour',
    });
    expect(empty).toEqual({ buckets: [], totals: ZERO_USAGE, unpricedModels: [], truncated: false });
    const cut = await store.usage.query({ ...range, projectId: 'grouped', groupBy: 'hour', limit: 2 });
    expect(cut.buckets).toHaveLength(2);
    expect(cut.truncated).toBe(true);
    expect(cut.totals.requests).toBe(5);
  });

  it('writes a flush of more rows than one statement holds', async () => {
    const store = stores[0]!;
    const rows = Array.from({ length: 1_200 }, (_, i) =>
      delta({ projectId: 'large', model: `m-${String(i)}` }),
    );
    await store.usage.add(rows);
    await store.usage.add(rows.slice(0, 600));
    const report = await store.usage.query({ ...range, projectId: 'large', groupBy: 'hour', by: ['model'] });
    expect(report.buckets).toHaveLength(1_200);
    expect(report.totals.requests).toBe(1_800);
  });

  it('rolls back with the transaction it was added in', async () => {
    const store = stores[0]!;
    await expect(
      store.transaction(async (trx) => {
        await trx.usage.add([delta({ projectId: 'rolled-back' })]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const report = await store.usage.query({ ...range, projectId: 'rolled-back', groupBy: 'hour' });
    expect(report.buckets).toEqual([]);
  });

  it('loses nothing when several instances add to the same rows at once', async () => {
    const hours = ['2025-03-01T01:00:00.000Z', '2025-03-01T02:00:00.000Z', '2025-03-01T03:00:00.000Z'];
    // Every writer touches the same rows, in a different order, many times over.
    await Promise.all(
      stores.flatMap((store, writer) =>
        Array.from({ length: 15 }, (_, round) =>
          store.usage.add(
            [...hours, ...hours]
              .map((hour, at) =>
                delta({
                  projectId: 'concurrent',
                  model: at % 2 === 0 ? 'gpt-4o' : 'gpt-4o-mini',
                  hour: hourOf(hour),
                  costUsd: 0.5,
                }),
              )
              .slice((writer + round) % 3)
              .concat(
                [...hours]
                  .slice(0, (writer + round) % 3)
                  .map((hour) => delta({ projectId: 'concurrent', hour: hourOf(hour), costUsd: 0.5 })),
              ),
          ),
        ),
      ),
    );
    const report = await stores[0]!.usage.query({ ...range, projectId: 'concurrent', groupBy: 'hour' });
    // Each add carries 6 deltas whichever way it is sliced: 4 writers × 15 rounds × 6.
    expect(report.totals.requests).toBe(4 * 15 * 6);
    expect(report.totals.inputTokens).toBe(4 * 15 * 6 * 100);
    expect(report.totals.costUsd).toBe(4 * 15 * 6 * 0.5);
  });
});

/** What a report by day or over the whole range must answer, summed here from the report by hour. */
function sumHoursInto(hours: readonly UsageBucket[], groupBy: 'day' | 'all', from: Date): UsageBucket[] {
  const sums = new Map<string, UsageBucket>();
  for (const bucket of hours) {
    const periodStart = groupBy === 'all' ? from : new Date(bucket.periodStart.toISOString().slice(0, 10));
    const key = [periodStart.toISOString(), bucket.projectId, bucket.tokenId ?? '', bucket.model ?? ''].join(
      '\u0000',
    );
    const seen = sums.get(key);
    sums.set(
      key,
      seen === undefined ? { ...bucket, periodStart } : { ...seen, ...addUsageCounts(seen, bucket) },
    );
  }
  return [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, bucket]) => bucket);
}
