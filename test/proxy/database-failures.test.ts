import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { createApiKeyCipher } from '../../src/core/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { TEST_POSTGRES_URL } from '../helpers/service-urls.js';
import { createTestDatabase, postgresQuery } from '../helpers/test-database.js';
import type { TestDatabase } from '../helpers/test-database.js';

const CHAT = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

// The management API's answers to a failing database are in test/manage/database-failures.test.ts; these are
// the proxy's: a token lookup or a quota count that cannot reach the database is a 503 the SDKs retry, not a 500.
describe.skipIf(!inject('postgresAvailable'))('/v1 while the database is lost or read-only', () => {
  let database: TestDatabase;
  let name: string;
  let store: Store;
  let t: TestGateway;
  const admin = (text: string) => postgresQuery(TEST_POSTGRES_URL, text);
  const terminateBackends = () =>
    admin(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`,
    );
  const chat = (token: string) =>
    t.injectProxy('/v1/chat/completions', {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/json' },
      body: CHAT,
    });

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    if (database.config.driver !== 'postgres') throw new Error('expected PostgreSQL');
    name = new URL(database.config.url).pathname.slice(1);
    store = await openStore({ database: database.config, cipher: createApiKeyCipher(undefined) });
    await store.migrations.latest();
    t = await startTestGateway({ store, listen: false });
  });
  afterAll(async () => {
    await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    await admin(`ALTER DATABASE ${name} RESET default_transaction_read_only`);
    await t.close();
    await store.close();
    await database.cleanup();
  });

  async function expectUnavailable(response: Response): Promise<void> {
    const body = await response.text();
    expect(response.status, body).toBe(503);
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'database_unavailable' } });
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  }

  it('answers 503 database_unavailable with Retry-After when a token cannot be looked up, and recovers', async () => {
    const { token } = await t.issueToken();
    await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await terminateBackends();
    // Not cached yet: the proxy must ask the database, which is gone.
    await expectUnavailable(await chat(token));
    expect(t.upstream.requests).toHaveLength(0);

    await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    expect((await chat(token)).status).toBe(200);
  });

  it('answers 503 when the quota of a max_requests token cannot be counted (read-only database)', async () => {
    const { token } = await t.issueToken({ token: { max_requests: 5 } });
    expect((await chat(token)).status).toBe(200);
    const before = t.upstream.requests.length;
    await admin(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);
    await terminateBackends();
    let response = await chat(token);
    // The pool may first hand out a connection the server closed; the next request gets a fresh, read-only one.
    for (let attempt = 0; attempt < 20 && response.status !== 503; attempt += 1) response = await chat(token);
    await expectUnavailable(response);
    expect(t.upstream.requests.length).toBe(before);

    await admin(`ALTER DATABASE ${name} RESET default_transaction_read_only`);
    await terminateBackends();
    let recovered = await chat(token);
    for (let attempt = 0; attempt < 20 && recovered.status !== 200; attempt += 1)
      recovered = await chat(token);
    expect(recovered.status).toBe(200);
  });
});
