import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import type { DatabaseConfig } from '../../src/config/index.js';
import { TEST_POSTGRES_URL } from './service-urls.js';

/** A fresh, empty database and the means to throw it away. */
export interface TestDatabase {
  readonly config: DatabaseConfig;
  cleanup(): Promise<void>;
}

/** Creates an empty database: a SQLite file in a temp folder, or a new PostgreSQL database. */
export async function createTestDatabase(dialect: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'llm-proxy-test-'));
    return {
      config: { driver: 'sqlite', path: join(dir, 'test.db') },
      cleanup: () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }
  const name = `llm_proxy_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    config: { driver: 'postgres', url: url.toString(), poolSize: 5 },
    cleanup: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** Runs SQL directly on a PostgreSQL test database (to build fixtures the store must adopt). */
export async function postgresQuery(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

async function adminQuery(text: string): Promise<void> {
  await postgresQuery(TEST_POSTGRES_URL, text);
}
