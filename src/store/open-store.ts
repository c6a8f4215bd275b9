import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { SqliteDatabase } from 'kysely';

import { systemClock } from '../core/index.js';
import type { ApiKeyCipher, Clock } from '../core/index.js';
import type { DatabaseConfig } from '../config/index.js';
import { SqlMigrationRunner } from './migrations/sql-migration-runner.js';
import type { Database } from './schema.js';
import { SqlAuditRepository } from './sql-audit-repository.js';
import { SqlProjectRepository } from './sql-project-repository.js';
import { SqlSecretsAtRest } from './sql-secrets-at-rest.js';
import { SqlTokenRepository } from './sql-token-repository.js';
import { SqlUsageRepository } from './sql-usage-repository.js';
import { openSqlite } from './sqlite-connection.js';
import type { DialectName, MigrationRunner, Store } from './store.js';

/** Thrown inside the write probe's transaction to roll it back. */
const ROLLBACK = new Error('write probe rollback');

/** What {@link openStore} needs. */
export interface OpenStoreOptions {
  readonly database: DatabaseConfig;
  readonly cipher: ApiKeyCipher;
  /** @default systemClock */
  readonly clock?: Clock;
  /**
   * An open SQLite connection (from {@link openSqlite}) to use instead of opening `database.path`, for a
   * caller that also needs the connection itself. Closed with the store.
   */
  readonly sqliteConnection?: SqliteDatabase;
}

/**
 * Connects to SQLite (creating the file's folder) or PostgreSQL. Does not migrate: callers run
 * `store.migrations.latest()` when they want the schema brought up to date.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const db = await createKysely(options.database, options.sqliteConnection);
  try {
    await sql`SELECT 1`.execute(db);
  } catch (error) {
    await db.destroy();
    throw new Error(`cannot connect to the ${options.database.driver} database: ${describe(error)}`, {
      cause: error,
    });
  }
  const dialect = options.database.driver;
  return new SqlStore(
    db,
    dialect,
    options.cipher,
    options.clock ?? systemClock,
    new SqlMigrationRunner(db as Kysely<unknown>, dialect),
  );
}

class SqlStore implements Store {
  readonly projects: SqlProjectRepository;
  readonly tokens: SqlTokenRepository;
  readonly audit: SqlAuditRepository;
  readonly usage: SqlUsageRepository;
  readonly secrets: SqlSecretsAtRest;

  constructor(
    private readonly db: Kysely<Database>,
    readonly dialect: DialectName,
    private readonly cipher: ApiKeyCipher,
    private readonly clock: Clock,
    readonly migrations: MigrationRunner,
  ) {
    this.projects = new SqlProjectRepository(db, cipher, clock);
    this.tokens = new SqlTokenRepository(db, clock);
    this.audit = new SqlAuditRepository(db, dialect);
    this.usage = new SqlUsageRepository(db, dialect);
    this.secrets = new SqlSecretsAtRest(db, cipher);
  }

  transaction<T>(work: (store: Store) => Promise<T>): Promise<T> {
    return this.db
      .transaction()
      .execute((trx) => work(new SqlStore(trx, this.dialect, this.cipher, this.clock, this.migrations)));
  }

  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.db);
  }

  async probeWrite(): Promise<void> {
    // SQLite's temporary tables live in another file, PostgreSQL's are session-local (no lock on a shared
    // name) and still refused by a read-only or full database.
    const create =
      this.dialect === 'postgres'
        ? sql`CREATE TEMPORARY TABLE llm_proxy_write_probe (id integer)`
        : sql`CREATE TABLE llm_proxy_write_probe (id integer)`;
    try {
      await this.db.transaction().execute(async (trx) => {
        await create.execute(trx);
        throw ROLLBACK;
      });
    } catch (error) {
      if (error !== ROLLBACK) throw error;
    }
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

async function createKysely(
  config: DatabaseConfig,
  connection: SqliteDatabase | undefined,
): Promise<Kysely<Database>> {
  if (config.driver === 'sqlite') {
    if (connection !== undefined)
      return new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });
    if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
    return new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(config.path) }) });
  }
  // Loaded only for PostgreSQL: SQLite deployments do not carry the driver in memory.
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  // Nor may a checked-out client between two queries (the pool listens only to idle ones): a server that
  // terminates the session then makes node-postgres emit 'error'. The query in flight still fails, the client
  // is no longer queryable and the pool drops it when it is released.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

function describe(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(describe).join('; ');
  return error instanceof Error ? error.message : String(error);
}
