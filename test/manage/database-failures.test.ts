import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { createApiKeyCipher } from '../../src/core/index.js';
import { openSqlite, openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { ManualClock } from '../helpers/clock.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { createProject, json } from '../helpers/management.js';
import { TEST_POSTGRES_URL } from '../helpers/service-urls.js';
import { createTestDatabase, postgresQuery } from '../helpers/test-database.js';
import type { TestDatabase } from '../helpers/test-database.js';

/** The readiness answer is reused for 2 s: the manual clock steps past it. */
const READY_CACHE_STEP_MS = 2500;

function expectUnavailable(response: {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}): void {
  expect(response.statusCode, response.body).toBe(503);
  expect(json(response)).toEqual({ error: 'database unavailable', code: 'database_unavailable' });
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
}

describe('SQLite file that is full (max_page_count reached)', () => {
  const clock = new ManualClock();
  const dir = mkdtempSync(join(tmpdir(), 'llm-proxy-full-'));
  const connection = openSqlite(join(dir, 'full.db'));
  let store: Store;
  let t: TestGateway;
  beforeAll(async () => {
    store = await openStore({
      database: { driver: 'sqlite', path: join(dir, 'full.db') },
      cipher: createApiKeyCipher(undefined),
      sqliteConnection: connection,
    });
    await store.migrations.latest();
    t = await startTestGateway({ store, clock, listen: false });
    await createProject(t, 'before-the-disk-filled');
  });
  afterAll(async () => {
    await t.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers writes with 503 and Retry-After, keeps reads working, and /ready says not ready', async () => {
    expect((await t.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    // No free pages left over from the migrations (a dropped index leaves some): the file must grow to write.
    connection.raw.exec('VACUUM');
    const pages = Number(connection.raw.pragma('page_count', { simple: true }));
    connection.raw.pragma(`max_page_count = ${String(pages)}`);

    // A key this long needs new pages: the write fails with SQLITE_FULL.
    const write = await t.manage('POST', '/manage/projects', { name: 'no-room', api_key: 'k'.repeat(4000) });
    expectUnavailable(write);
    const read = await t.manage('GET', '/manage/projects');
    expect(read.statusCode).toBe(200);
    expect(json<{ name: string }[]>(read).map((project) => project.name)).toEqual(['before-the-disk-filled']);

    clock.advance(READY_CACHE_STEP_MS);
    expectUnavailable(await t.inject({ method: 'GET', url: '/ready' }));

    connection.raw.pragma('max_page_count = 1073741823');
    clock.advance(READY_CACHE_STEP_MS);
    expect((await t.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    expect(
      (await t.manage('POST', '/manage/projects', { name: 'room-again', api_key: 'k'.repeat(4000) }))
        .statusCode,
    ).toBe(201);
    expect(
      await connection.raw
        .prepare('SELECT count(*) AS n FROM sqlite_master WHERE name = ?')
        .get('llm_proxy_write_probe'),
    ).toEqual({ n: 0 });
  });
});

describe.skipIf(!inject('postgresAvailable'))('PostgreSQL connections lost or read-only', () => {
  const clock = new ManualClock();
  let database: TestDatabase;
  let name: string;
  let store: Store;
  let t: TestGateway;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    if (database.config.driver !== 'postgres') throw new Error('expected PostgreSQL');
    name = new URL(database.config.url).pathname.slice(1);
    store = await openStore({ database: database.config, cipher: createApiKeyCipher(undefined) });
    await store.migrations.latest();
    t = await startTestGateway({ store, clock, listen: false });
    await createProject(t, 'pg-before');
  });
  afterAll(async () => {
    await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    await t.close();
    await store.close();
    await database.cleanup();
  });

  const admin = (text: string) => postgresQuery(TEST_POSTGRES_URL, text);
  const terminateBackends = () =>
    admin(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`,
    );

  /** Sends the request until the pool has dropped the connections the server closed. */
  async function settled(send: () => Promise<{ statusCode: number }>, status: number) {
    let response = await send();
    for (let attempt = 0; attempt < 20 && response.statusCode !== status; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      response = await send();
    }
    return response;
  }

  it('answers 503 with Retry-After while the database cannot be reached, and recovers', async () => {
    await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await terminateBackends();
    expectUnavailable(await t.manage('GET', '/manage/projects'));
    expectUnavailable(
      await t.manage('POST', '/manage/projects', { name: 'pg-lost', api_key: 'sk-lost-0123456789' }),
    );
    clock.advance(READY_CACHE_STEP_MS);
    expectUnavailable(await t.inject({ method: 'GET', url: '/ready' }));

    await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    expect((await t.manage('GET', '/manage/projects')).statusCode).toBe(200);
    clock.advance(READY_CACHE_STEP_MS);
    expect((await t.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
  });

  it('reports not ready and answers writes 503 while the database is read-only; reads still work', async () => {
    await admin(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);
    await terminateBackends();
    const read = await settled(() => t.manage('GET', '/manage/projects'), 200);
    expect(read.statusCode).toBe(200);
    expectUnavailable(
      await t.manage('POST', '/manage/projects', { name: 'pg-read-only', api_key: 'sk-ro-0123456789' }),
    );
    clock.advance(READY_CACHE_STEP_MS);
    expectUnavailable(await t.inject({ method: 'GET', url: '/ready' }));

    await admin(`ALTER DATABASE ${name} RESET default_transaction_read_only`);
    await terminateBackends();
    const write = await settled(
      () =>
        t.manage('POST', '/manage/projects', {
          name: `pg-writable-${String(Date.now())}`,
          api_key: 'sk-rw-0123456789',
        }),
      201,
    );
    expect(write.statusCode).toBe(201);
    clock.advance(READY_CACHE_STEP_MS);
    expect((await t.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
  });
});
