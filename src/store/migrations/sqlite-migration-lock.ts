import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

import { sql } from 'kysely';
import type { Kysely } from 'kysely';

import { newId } from '../../core/index.js';

const LOCK_TABLE = 'llm_proxy_migration_lock';
const POLL_MS = 100;
/** A lock older than this is taken to belong to a process that died while migrating. */
const STALE_AFTER_MS = 10 * 60_000;
const WAIT_LIMIT_MS = 15 * 60_000;

/**
 * Runs work while holding a cross-process lock kept in the SQLite file itself: one row in a lock table.
 * SQLite has no advisory locks, and Kysely's migrator assumes a single connection; two servers starting
 * on the same file would otherwise both migrate.
 */
export async function withSqliteMigrationLock<T>(db: Kysely<unknown>, work: () => Promise<T>): Promise<T> {
  await sql`CREATE TABLE IF NOT EXISTS ${sql.table(LOCK_TABLE)} (
    id INTEGER PRIMARY KEY CHECK (id = 1), owner TEXT NOT NULL, acquired_at TEXT NOT NULL)`.execute(db);
  const owner = `${hostname()}:${process.pid}:${newId()}`;
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (!(await tryAcquire(db, owner))) {
    if (Date.now() > deadline)
      throw new Error('timed out waiting for the migration lock held by another process');
    await sleep(POLL_MS);
  }
  try {
    return await work();
  } finally {
    await sql`DELETE FROM ${sql.table(LOCK_TABLE)} WHERE owner = ${owner}`.execute(db);
  }
}

async function tryAcquire(db: Kysely<unknown>, owner: string): Promise<boolean> {
  const staleBefore = new Date(Date.now() - STALE_AFTER_MS).toISOString();
  await sql`DELETE FROM ${sql.table(LOCK_TABLE)} WHERE acquired_at < ${staleBefore}`.execute(db);
  const result = await sql`INSERT OR IGNORE INTO ${sql.table(LOCK_TABLE)} (id, owner, acquired_at)
    VALUES (1, ${owner}, ${new Date().toISOString()})`.execute(db);
  return (result.numAffectedRows ?? 0n) > 0n;
}
