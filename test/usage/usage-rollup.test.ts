import { afterEach, describe, expect, it } from 'vitest';

import { createApiKeyCipher } from '../../src/core/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store, UsageQuery } from '../../src/store/index.js';
import { UsageRollup, createPriceTable } from '../../src/usage/index.js';
import type { TokenUsage, UsageExchange, UsageRollupOptions } from '../../src/usage/index.js';
import { LogCapture, captureLogger } from '../helpers/log-capture.js';
import { createTestDatabase } from '../helpers/test-database.js';
import { TEST_DIALECTS, createTestStore } from '../helpers/test-store.js';

const PRICES = createPriceTable(
  new Map([
    ['gpt-4o', { inputPerMillion: 2.5, outputPerMillion: 10, cachedInputPerMillion: 1.25 }],
    ['claude-sonnet-4', { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3 }],
  ]),
);
const AT = Date.parse('2025-03-01T10:15:00.000Z');
const DAY: UsageQuery = {
  from: new Date('2025-03-01T00:00:00.000Z'),
  to: new Date('2025-03-02T00:00:00.000Z'),
  groupBy: 'hour',
};

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function sqliteStore(): Promise<Store> {
  const testStore = await createTestStore('sqlite');
  cleanups.push(() => testStore.cleanup());
  return testStore.store;
}

function rollup(store: Store, options: Partial<UsageRollupOptions> = {}): UsageRollup {
  const created = new UsageRollup({
    repository: store.usage,
    prices: PRICES,
    logger: captureLogger(new LogCapture()),
    flushIntervalMs: 0,
    ...options,
  });
  cleanups.push(() => created.close());
  return created;
}

const tokens = (overrides: Partial<TokenUsage> = {}): TokenUsage => ({
  inputTokens: 1000,
  outputTokens: 200,
  cachedTokens: 400,
  reasoningTokens: 50,
  estimated: false,
  ...overrides,
});

const exchange = (overrides: Partial<UsageExchange> = {}): UsageExchange => ({
  projectId: 'project-a',
  tokenId: 'token-a',
  model: 'gpt-4o',
  at: AT,
  usage: tokens(),
  cacheHit: false,
  error: false,
  ...overrides,
});

/** The cost of {@link tokens} on gpt-4o: 600 × 2.50 + 400 × 1.25 + 200 × 10.00, per million. */
const GPT_4O_COST = (600 * 2.5 + 400 * 1.25 + 200 * 10) / 1_000_000;

describe('usage rollup (SQLite)', () => {
  it('sums exchanges per project, token, model and hour and writes them only when it flushes', async () => {
    const store = await sqliteStore();
    const usage = rollup(store);
    usage.record(exchange());
    usage.record(exchange({ at: AT + 30 * 60_000 }));
    usage.record(exchange({ at: AT + 60 * 60_000 }));
    usage.record(exchange({ model: 'claude-sonnet-4' }));
    usage.record(exchange({ tokenId: 'token-b' }));
    expect(usage.stats().pendingKeys).toBe(4);
    expect((await store.usage.query(DAY)).buckets).toEqual([]);

    expect(await usage.flush()).toBe(true);
    const report = await store.usage.query({ ...DAY, by: ['model', 'token'] });
    expect(
      report.buckets.map((b) => [b.periodStart.toISOString(), b.model, b.tokenId, b.requests, b.inputTokens]),
    ).toEqual([
      ['2025-03-01T10:00:00.000Z', 'claude-sonnet-4', 'token-a', 1, 1000],
      ['2025-03-01T10:00:00.000Z', 'gpt-4o', 'token-a', 2, 2000],
      ['2025-03-01T10:00:00.000Z', 'gpt-4o', 'token-b', 1, 1000],
      ['2025-03-01T11:00:00.000Z', 'gpt-4o', 'token-a', 1, 1000],
    ]);
    expect(report.totals).toMatchObject({
      requests: 5,
      inputTokens: 5000,
      outputTokens: 1000,
      cachedTokens: 2000,
      reasoningTokens: 250,
      cacheHits: 0,
      errors: 0,
      estimatedRequests: 0,
      unpricedRequests: 0,
    });
    const claude = (600 * 3 + 400 * 0.3 + 200 * 15) / 1_000_000;
    expect(report.totals.costUsd).toBeCloseTo(4 * GPT_4O_COST + claude, 12);
    expect(usage.stats().pendingKeys).toBe(0);
    expect(await usage.flush()).toBe(true);
    expect((await store.usage.query(DAY)).totals.requests).toBe(5);
  });

  it('counts a cache hit as a request and a hit, without its tokens or any cost', async () => {
    const store = await sqliteStore();
    const usage = rollup(store);
    usage.record(exchange({ cacheHit: true }));
    usage.record(exchange({ cacheHit: true, usage: null }));
    await usage.flush();
    expect((await store.usage.query(DAY)).totals).toEqual({
      requests: 2,
      inputTokens: 0,
      outputTokens: 0,
      cachedTokens: 0,
      reasoningTokens: 0,
      cacheHits: 2,
      errors: 0,
      estimatedRequests: 0,
      unpricedRequests: 0,
      costUsd: 0,
    });
  });

  it('counts errors, estimated counts and unpriced models (at no cost), and skips exchanges without a project', async () => {
    const store = await sqliteStore();
    const usage = rollup(store);
    usage.record(exchange({ error: true, usage: null }));
    usage.record(exchange({ usage: tokens({ estimated: true }) }));
    usage.record(exchange({ model: 'llama-local', usage: tokens({ cachedTokens: 0 }) }));
    usage.record(exchange({ model: null, tokenId: null }));
    usage.record(exchange({ projectId: null }));
    await usage.flush();
    const report = await store.usage.query({ ...DAY, by: ['model', 'token'] });
    expect(report.totals).toMatchObject({
      requests: 4,
      inputTokens: 3000,
      errors: 1,
      estimatedRequests: 1,
      unpricedRequests: 2,
    });
    expect(report.totals.costUsd).toBeCloseTo(GPT_4O_COST, 12);
    expect(report.unpricedModels).toEqual(['', 'llama-local']);
    expect(report.buckets.find((b) => b.model === null)).toMatchObject({ tokenId: null, requests: 1 });
  });

  it('writes on its timer', async () => {
    const store = await sqliteStore();
    const usage = rollup(store, { flushIntervalMs: 20 });
    usage.record(exchange());
    await expect.poll(async () => (await store.usage.query(DAY)).totals.requests).toBe(1);
  });

  it('keeps the usage of a failed flush and writes it exactly once when the database is back', async () => {
    const store = await sqliteStore();
    const logs = new LogCapture();
    const usage = rollup(store, { logger: captureLogger(logs) });
    usage.record(exchange());
    await dropUsageTable(store);
    expect(await usage.flush()).toBe(false);
    usage.record(exchange());
    usage.record(exchange({ model: 'claude-sonnet-4' }));
    expect(await usage.flush()).toBe(false);
    expect(usage.stats()).toMatchObject({ pendingKeys: 2, failedFlushes: 2, droppedKeys: 0 });
    await store.migrations.latest();
    expect(await usage.flush()).toBe(true);
    const report = await store.usage.query({ ...DAY, by: ['model'] });
    expect(report.buckets.map((b) => [b.model, b.requests])).toEqual([
      ['claude-sonnet-4', 1],
      ['gpt-4o', 2],
    ]);
    const messages = logs.entries.map((entry) => entry.msg);
    expect(messages).toEqual([
      'writing usage failed; the counts are kept and retried',
      'usage is written again after failed flushes',
    ]);
  });

  it('drops the oldest rows beyond maxPendingKeys, counts and logs them, and keeps the newest', async () => {
    const store = await sqliteStore();
    const logs = new LogCapture();
    const usage = rollup(store, { logger: captureLogger(logs), maxPendingKeys: 3 });
    await dropUsageTable(store);
    usage.record(exchange({ projectId: 'p1' }));
    usage.record(exchange({ projectId: 'p1' }));
    usage.record(exchange({ projectId: 'p2' }));
    expect(await usage.flush()).toBe(false);
    usage.record(exchange({ projectId: 'p3' }));
    usage.record(exchange({ projectId: 'p4' }));
    usage.record(exchange({ projectId: 'p5' }));
    expect(usage.stats()).toEqual({ pendingKeys: 3, droppedKeys: 2, droppedRequests: 3, failedFlushes: 1 });
    await store.migrations.latest();
    expect(await usage.flush()).toBe(true);
    const report = await store.usage.query({ ...DAY, by: ['project'] });
    expect(report.buckets.map((b) => b.projectId)).toEqual(['p3', 'p4', 'p5']);
    expect(logs.entries.at(-1)).toMatchObject({
      msg: 'usage is written again after failed flushes',
      droppedKeys: 2,
      droppedRequests: 3,
    });
  });

  it('writes what is pending on close, and counts what is recorded afterwards as dropped', async () => {
    const store = await sqliteStore();
    const usage = rollup(store, { flushIntervalMs: 60_000 });
    usage.record(exchange());
    await usage.close();
    usage.record(exchange());
    expect((await store.usage.query(DAY)).totals.requests).toBe(1);
    expect(usage.stats()).toMatchObject({ pendingKeys: 0, droppedRequests: 1 });
  });

  it('stores a model name without NUL and at most 200 characters long', async () => {
    const store = await sqliteStore();
    const usage = rollup(store);
    usage.record(exchange({ model: `gpt\u0000-x${'y'.repeat(500)}` }));
    await usage.flush();
    const [bucket] = (await store.usage.query({ ...DAY, by: ['model'] })).buckets;
    expect(bucket?.model).toBe(`gpt-x${'y'.repeat(195)}`);
  });
});

describe.runIf(TEST_DIALECTS.includes('postgres'))('usage rollups of several instances (PostgreSQL)', () => {
  it('add up exactly on one database while flushing at the same time', async () => {
    const database = await createTestDatabase('postgres');
    cleanups.push(() => database.cleanup());
    const stores: Store[] = [];
    for (let i = 0; i < 4; i += 1) {
      const store = await openStore({ database: database.config, cipher: createApiKeyCipher(undefined) });
      cleanups.push(() => store.close());
      stores.push(store);
    }
    await stores[0]!.migrations.latest();
    const rollups = stores.map((store) => rollup(store));
    const models = ['gpt-4o', 'claude-sonnet-4', 'unknown-model'];
    const perRound = 25;
    const rounds = 8;
    for (let round = 0; round < rounds; round += 1) {
      rollups.forEach((usage, instance) => {
        for (let i = 0; i < perRound; i += 1) {
          usage.record(
            exchange({
              projectId: `project-${String(i % 2)}`,
              model: models[(i + instance) % models.length] ?? null,
              at: AT + (i % 3) * 3_600_000,
              cacheHit: i % 10 === 0,
              error: i % 7 === 0,
            }),
          );
        }
      });
      const flushed = await Promise.all(rollups.map((usage) => usage.flush()));
      expect(flushed.every(Boolean)).toBe(true);
    }
    await Promise.all(rollups.map((usage) => usage.close()));

    const total = rounds * rollups.length * perRound;
    const hits = rounds * rollups.length * 3; // i = 0, 10, 20 of each 25
    const errors = rounds * rollups.length * 4; // i = 0, 7, 14, 21
    const report = await stores[0]!.usage.query({ ...DAY, by: ['project'] });
    expect(report.totals).toMatchObject({
      requests: total,
      cacheHits: hits,
      errors,
      inputTokens: (total - hits) * 1000,
      outputTokens: (total - hits) * 200,
    });
    expect(report.buckets.reduce((sum, bucket) => sum + bucket.requests, 0)).toBe(total);
    expect(report.unpricedModels).toEqual(['unknown-model']);
  });
});

/** Reverts migrations, latest first, down to and including 0005, so that `usage_hourly` is gone. */
async function dropUsageTable(store: Store): Promise<void> {
  for (let step = 0; step < 10; step += 1) {
    if ((await store.migrations.down()).includes('0005_usage_hourly')) return;
  }
  throw new Error('migration 0005_usage_hourly was never reverted');
}
