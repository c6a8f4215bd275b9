import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';

import { createApiKeyCipher, hashToken, newId } from '../../src/core/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { createTestDatabase, postgresQuery } from '../helpers/test-database.js';
import type { TestDatabase } from '../helpers/test-database.js';
import { TEST_DIALECTS } from '../helpers/test-store.js';

const run = promisify(execFile);
const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
const plainCipher = createApiKeyCipher(undefined);
const ALL_MIGRATIONS = [
  '0001_baseline',
  '0002_project_provider',
  '0003_token_name',
  '0004_project_cache_post_ttl',
  '0005_usage_hourly',
  '0006_usage_hour_report_index',
  '0007_usage_daily',
];
const DAY_QUERY = {
  from: new Date('2025-03-01T00:00:00.000Z'),
  to: new Date('2025-03-02T00:00:00.000Z'),
  groupBy: 'hour',
} as const;
const USAGE_ROW = {
  projectId: 'p-usage',
  tokenId: 't-usage',
  model: 'gpt-4o',
  hour: new Date('2025-03-01T10:00:00.000Z'),
  requests: 2,
  inputTokens: 30,
  outputTokens: 7,
  cachedTokens: 10,
  reasoningTokens: 0,
  cacheHits: 1,
  errors: 0,
  estimatedRequests: 0,
  unpricedRequests: 0,
  costUsd: 0.25,
};

/** Usage written after the migrations is read back: `usage_hourly` exists in its current shape. */
async function expectUsageTable(store: Store): Promise<void> {
  await store.usage.add([USAGE_ROW, USAGE_ROW]);
  const report = await store.usage.query(DAY_QUERY);
  expect(report.totals).toMatchObject({ requests: 4, inputTokens: 60, cacheHits: 2, costUsd: 0.5 });
}

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function freshDatabase(dialect: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  const database = await createTestDatabase(dialect);
  cleanups.push(() => database.cleanup());
  return database;
}

async function open(database: TestDatabase): Promise<Store> {
  const store = await openStore({ database: database.config, cipher: plainCipher });
  cleanups.push(() => store.close());
  return store;
}

async function seed(database: TestDatabase, sqlText: string): Promise<void> {
  if (database.config.driver === 'sqlite') {
    const raw = new BetterSqlite3(database.config.path);
    raw.exec(sqlText);
    raw.close();
  } else {
    await postgresQuery(database.config.url, sqlText);
  }
}

describe.each(TEST_DIALECTS)('migrations on %s', (dialect) => {
  it('migrate up, status and down work on an empty database', async () => {
    const store = await open(await freshDatabase(dialect));
    expect((await store.migrations.status()).every((migration) => migration.executedAt === undefined)).toBe(
      true,
    );
    expect(await store.migrations.up()).toEqual(['0001_baseline']);
    expect(await store.migrations.latest()).toEqual(ALL_MIGRATIONS.slice(1));
    expect(await store.migrations.latest()).toEqual([]);
    const status = await store.migrations.status();
    expect(status[0]?.executedAt).toBeInstanceOf(Date);
    const created = await store.projects.create({
      name: 'p',
      apiKey: 'k',
      provider: 'anthropic',
      cachePostTtlSeconds: 600,
    });
    expect((await store.projects.get(created.id))?.cachePostTtlSeconds).toBe(600);
    expect(await store.migrations.down()).toEqual(['0007_usage_daily']);
    expect(await store.migrations.down()).toEqual(['0006_usage_hour_report_index']);
    expect(await store.migrations.down()).toEqual(['0005_usage_hourly']);
    await expect(store.usage.query(DAY_QUERY)).rejects.toThrow();
    expect(await store.migrations.down()).toEqual(['0004_project_cache_post_ttl']);
    expect(await store.migrations.down()).toEqual(['0003_token_name']);
    expect(await store.migrations.down()).toEqual(['0002_project_provider']);
    expect(await store.migrations.down()).toEqual(['0001_baseline']);
    await expect(store.projects.list()).rejects.toThrow();
    expect(await store.migrations.latest()).toEqual(ALL_MIGRATIONS);
    expect(await store.projects.list()).toEqual([]);
  });

  it('two instances starting together migrate exactly once', async () => {
    const database = await freshDatabase(dialect);
    const [a, b] = [await open(database), await open(database)];
    const results = await Promise.all([a.migrations.latest(), b.migrations.latest()]);
    expect(results.flat()).toEqual(ALL_MIGRATIONS);
  });
});

describe.each(TEST_DIALECTS)('usage_hourly (migration 0005) on %s', (dialect) => {
  it('is keyed by project, token, model and hour, indexed by hour (covering reports) and by project and hour', async () => {
    const database = await freshDatabase(dialect);
    const store = await open(database);
    await store.migrations.latest();
    await expectUsageTable(store);
    const insert = `INSERT INTO usage_hourly (project_id, token_id, model, hour) VALUES ('p', '', '', '2025-03-01T10:00:00.000Z')`;
    const indexes =
      dialect === 'postgres'
        ? "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'usage_hourly' AND indexname LIKE 'idx_%'"
        : "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'usage_hourly' AND name LIKE 'idx_%'";
    let names: string[];
    if (database.config.driver === 'sqlite') {
      const raw = new BetterSqlite3(database.config.path);
      raw.exec(insert);
      expect(() => raw.exec(insert)).toThrow(/UNIQUE/);
      names = (raw.prepare(indexes).all() as { name: string }[]).map((row) => row.name);
      raw.close();
    } else {
      await postgresQuery(database.config.url, insert);
      await expect(postgresQuery(database.config.url, insert)).rejects.toThrow(/duplicate key/);
      const type = await postgresQuery(
        database.config.url,
        "SELECT data_type FROM information_schema.columns WHERE table_name = 'usage_hourly' AND column_name = 'hour'",
      );
      expect(type.rows).toEqual([{ data_type: 'timestamp with time zone' }]);
      names = (await postgresQuery(database.config.url, indexes)).rows.map((row) => String(row.name));
    }
    expect(names.sort()).toEqual(['idx_usage_hourly_hour_report', 'idx_usage_hourly_project_hour']);
    expect(await store.migrations.down()).toEqual(['0007_usage_daily']);
    expect(await store.migrations.down()).toEqual(['0006_usage_hour_report_index']);
    expect(await store.migrations.down()).toEqual(['0005_usage_hourly']);
    await expect(store.usage.query(DAY_QUERY)).rejects.toThrow();
    expect(await store.migrations.latest()).toEqual(ALL_MIGRATIONS.slice(4));
    expect((await store.usage.query(DAY_QUERY)).buckets).toEqual([]);
  });
});

describe.each(TEST_DIALECTS)('usage_daily (migration 0007) on %s', (dialect) => {
  const hourOf = (iso: string, requests: number, tokenId = 't-usage') => ({
    ...USAGE_ROW,
    tokenId,
    hour: new Date(iso),
    requests,
    inputTokens: requests * 10,
  });

  it('sums the hours already recorded, then follows every insert, update and delete of an hour', async () => {
    const database = await freshDatabase(dialect);
    const store = await open(database);
    await store.migrations.latest();
    expect(await store.migrations.down()).toEqual(['0007_usage_daily']);
    await store.usage.add([
      hourOf('2025-03-01T00:00:00.000Z', 1),
      hourOf('2025-03-01T23:00:00.000Z', 2),
      hourOf('2025-03-02T05:00:00.000Z', 4),
      hourOf('2025-03-01T10:00:00.000Z', 8, ''),
    ]);
    expect(await store.migrations.latest()).toEqual(['0007_usage_daily']);
    expect(await dailyRows(database)).toEqual([
      ['t-usage', '2025-03-01T00:00:00.000Z', 3, 30],
      ['', '2025-03-01T00:00:00.000Z', 8, 80],
      ['t-usage', '2025-03-02T00:00:00.000Z', 4, 40],
    ]);

    // An hour added to (update), a new hour (insert), and an hour deleted by hand.
    await store.usage.add([hourOf('2025-03-01T23:00:00.000Z', 16), hourOf('2025-03-02T06:00:00.000Z', 32)]);
    await rawExec(
      database,
      "DELETE FROM usage_hourly WHERE token_id = '' AND hour = '2025-03-01T10:00:00.000Z'",
    );
    expect(await dailyRows(database)).toEqual([
      ['t-usage', '2025-03-01T00:00:00.000Z', 19, 190],
      ['', '2025-03-01T00:00:00.000Z', 0, 0],
      ['t-usage', '2025-03-02T00:00:00.000Z', 36, 360],
    ]);

    // Down drops the table and its triggers: the hours are still written and read.
    expect(await store.migrations.down()).toEqual(['0007_usage_daily']);
    await store.usage.add([hourOf('2025-03-01T12:00:00.000Z', 64)]);
    const hours = await store.usage.query({ ...DAY_QUERY, projectId: USAGE_ROW.projectId });
    expect(hours.totals.requests).toBe(1 + 18 + 64);
    await expect(rawRows(database, 'SELECT * FROM usage_daily')).rejects.toThrow(/usage_daily/);
  });
});

/** `usage_daily` as [token, day, requests, input tokens], in key order. */
async function dailyRows(database: TestDatabase): Promise<[string, string, number, number][]> {
  const rows = await rawRows(
    database,
    'SELECT token_id, day, requests, input_tokens FROM usage_daily ORDER BY day, token_id DESC',
  );
  return rows.map((row) => [
    String(row.token_id),
    new Date(row.day as string | Date).toISOString(),
    Number(row.requests),
    Number(row.input_tokens),
  ]);
}

async function rawRows(database: TestDatabase, text: string): Promise<Record<string, unknown>[]> {
  if (database.config.driver === 'postgres') {
    return (await postgresQuery(database.config.url, text)).rows as Record<string, unknown>[];
  }
  const raw = new BetterSqlite3(database.config.path);
  try {
    return raw.prepare(text).all() as Record<string, unknown>[];
  } finally {
    raw.close();
  }
}

async function rawExec(database: TestDatabase, text: string): Promise<void> {
  if (database.config.driver === 'postgres') await postgresQuery(database.config.url, text);
  else {
    const raw = new BetterSqlite3(database.config.path);
    raw.exec(text);
    raw.close();
  }
}

describe('adopting databases of the original program (SQLite)', () => {
  it('upgrades the early schema.sql shape in place and loses nothing', async () => {
    const database = await freshDatabase('sqlite');
    await seed(database, fixture('original-sqlite-early.sql'));
    const store = await open(database);
    expect(await store.migrations.latest()).toEqual(ALL_MIGRATIONS);

    const projects = await store.projects.list();
    expect(projects.map((project) => [project.name, project.apiKey, project.isActive])).toEqual([
      ['Legacy One', 'sk-legacy-key-0000000001', true],
      ['Legacy Two', 'sk-legacy-key-0000000002', false],
    ]);
    expect(projects[0]?.createdAt.toISOString()).toBe('2025-03-01T10:00:00.123Z');
    expect(projects[1]?.deactivatedAt?.toISOString()).toBe('2025-04-01T07:30:00.000Z');

    const token = await store.tokens.findByHash(hashToken('sk-AAAAAAAAAAAAAAAAAAAAAA'));
    expect(token).toMatchObject({
      id: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
      preview: 'sk-AAAA**************AAAA',
      requestCount: 7,
      maxRequests: 10,
      cacheHitCount: 2,
      isActive: true,
    });
    expect(token?.expiresAt?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    const raw = new BetterSqlite3(database.config.driver === 'sqlite' ? database.config.path : '');
    const stored = raw.prepare('SELECT token FROM tokens').all() as { token: string }[];
    raw.close();
    expect(stored.every((row) => /^[0-9a-f]{64}$/.test(row.token))).toBe(true);

    const audit = await store.audit.list({}, 1, 10);
    expect(audit.totalCount).toBe(2);
    const march = await store.audit.list(
      { startTime: new Date('2025-03-01T00:00:00Z'), endTime: new Date('2025-03-02T00:00:00Z') },
      1,
      10,
    );
    expect(march.events.map((event) => event.action)).toEqual(['project.create']);
    await store.audit.insert({ ...march.events[0]!, id: newId(), outcome: 'denied' });
    await expectUsageTable(store);
  });

  it('gives ids to tokens of the oldest shape and keeps unknown columns', async () => {
    const database = await freshDatabase('sqlite');
    await seed(database, fixture('original-sqlite-token-pk.sql'));
    const store = await open(database);
    await store.migrations.latest();
    const tokens = await store.tokens.list({ projectId: 'p-old' });
    expect(tokens).toHaveLength(2);
    expect(tokens.every((token) => /^[0-9a-f-]{36}$/.test(token.id))).toBe(true);
    const unlimited = await store.tokens.findByHash(hashToken('sk-CCCCCCCCCCCCCCCCCCCCCC'));
    expect(unlimited).toMatchObject({ requestCount: 3, maxRequests: null });
    expect((await store.projects.get('p-old'))?.apiKey).toBe('sk-old-key-000000000000');
    const raw = new BetterSqlite3(database.config.driver === 'sqlite' ? database.config.path : '');
    const metadata = raw.prepare('SELECT metadata FROM tokens WHERE metadata IS NOT NULL').all();
    const fk = raw.prepare('PRAGMA foreign_key_check').all();
    raw.close();
    expect(metadata).toEqual([{ metadata: '{"user_id":"u1"}' }]);
    expect(fk).toEqual([]);
  });
});

describe.runIf(TEST_DIALECTS.includes('postgres'))(
  'adopting databases of the original program (PostgreSQL)',
  () => {
    it('upgrades a goose-migrated database in place', async () => {
      const database = await freshDatabase('postgres');
      await seed(database, fixture('original-postgres-goose.sql'));
      const store = await open(database);
      expect(await store.migrations.latest()).toEqual(ALL_MIGRATIONS);
      const token = await store.tokens.findByHash(hashToken('sk-EEEEEEEEEEEEEEEEEEEEEE'));
      expect(token).toMatchObject({ requestCount: 4, maxRequests: 9, preview: 'sk-EEEE**************EEEE' });
      expect(token?.expiresAt?.toISOString()).toBe('2031-01-01T00:00:00.000Z');
      expect(await store.tokens.get('not-a-uuid')).toBeUndefined();
      const project = await store.projects.get('11111111-1111-4111-8111-111111111111');
      expect(project?.createdAt.toISOString()).toBe('2025-05-01T10:00:00.123Z');
      expect((await store.audit.list({}, 1, 10)).totalCount).toBe(1);
      if (database.config.driver !== 'postgres') throw new Error('unreachable');
      const metadata = await postgresQuery(database.config.url, 'SELECT metadata FROM tokens');
      expect(metadata.rows).toEqual([{ metadata: '{"user_id":"u2"}' }]);
      await expectUsageTable(store);
    });

    it('upgrades a database that only ran the first goose migration', async () => {
      const database = await freshDatabase('postgres');
      await seed(database, fixture('original-postgres-goose-v1.sql'));
      const store = await open(database);
      await store.migrations.latest();
      const token = await store.tokens.findByHash(hashToken('sk-FFFFFFFFFFFFFFFFFFFFFF'));
      expect(token).toMatchObject({ projectId: 'p-v1', maxRequests: 2, cacheHitCount: 0 });
      expect((await store.projects.get('p-v1'))?.apiKey).toBe('sk-v1-key-00000000000');
      await store.audit.insert({
        id: newId(),
        timestamp: new Date(),
        action: 'proxy_request',
        actor: 'system',
        projectId: null,
        requestId: null,
        correlationId: null,
        clientIp: null,
        method: null,
        path: null,
        userAgent: null,
        outcome: 'error',
        reason: null,
        tokenId: null,
        metadata: null,
      });
    });
  },
);

describe('migration lock across processes (SQLite)', () => {
  it('four processes migrating one new file at once all succeed and the migration runs once', async () => {
    const database = await freshDatabase('sqlite');
    if (database.config.driver !== 'sqlite') throw new Error('unreachable');
    const script = new URL('../fixtures/migrate-once.ts', import.meta.url).pathname;
    const runs = await Promise.all(
      [0, 1, 2, 3].map(() =>
        run(process.execPath, [
          '--import',
          'tsx',
          script,
          database.config.driver === 'sqlite' ? database.config.path : '',
        ]),
      ),
    );
    const applied = runs.flatMap((result) => JSON.parse(result.stdout) as string[]);
    expect(applied).toEqual(ALL_MIGRATIONS);
  });
});

describe('API keys at rest', () => {
  it.each(TEST_DIALECTS)('are stored encrypted in the enc:v1 format on %s and read back', async (dialect) => {
    const database = await freshDatabase(dialect);
    const key = Buffer.alloc(32, 7);
    const store = await openStore({ database: database.config, cipher: createApiKeyCipher(key) });
    cleanups.push(() => store.close());
    await store.migrations.latest();
    const project = await store.projects.create({ name: 'secret', apiKey: 'sk-very-secret-key-123' });
    expect((await store.projects.get(project.id))?.apiKey).toBe('sk-very-secret-key-123');
    const query = 'SELECT api_key FROM projects';
    const rows =
      database.config.driver === 'sqlite'
        ? (new BetterSqlite3(database.config.path).prepare(query).all() as { api_key: string }[])
        : ((await postgresQuery(database.config.url, query)).rows as { api_key: string }[]);
    expect(rows[0]?.api_key).toMatch(/^enc:v1:[A-Za-z0-9+/]+=*$/);
    expect(rows[0]?.api_key).not.toContain('very-secret');
  });
});
