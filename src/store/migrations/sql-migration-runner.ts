import { Migrator } from 'kysely';
import type { Kysely, MigrationResultSet } from 'kysely';

import type { DialectName, MigrationRunner, MigrationState } from '../store.js';
import { migrationSet } from './migration-set.js';
import { withSqliteMigrationLock } from './sqlite-migration-lock.js';

const MIGRATION_TABLE = 'llm_proxy_migrations';
const MIGRATION_LOCK_TABLE = 'llm_proxy_migrations_lock';

/**
 * Kysely's migrator over our migration set. PostgreSQL migrations run in one transaction under Kysely's
 * advisory lock; SQLite ones under {@link withSqliteMigrationLock}.
 */
export class SqlMigrationRunner implements MigrationRunner {
  private readonly migrator: Migrator;

  constructor(
    private readonly db: Kysely<unknown>,
    private readonly dialect: DialectName,
  ) {
    const migrations = migrationSet(dialect);
    this.migrator = new Migrator({
      db,
      provider: { getMigrations: () => Promise.resolve(migrations) },
      migrationTableName: MIGRATION_TABLE,
      migrationLockTableName: MIGRATION_LOCK_TABLE,
    });
  }

  latest(): Promise<string[]> {
    return this.run(() => this.migrator.migrateToLatest());
  }

  up(): Promise<string[]> {
    return this.run(() => this.migrator.migrateUp());
  }

  down(): Promise<string[]> {
    return this.run(() => this.migrator.migrateDown());
  }

  async status(): Promise<MigrationState[]> {
    const migrations = await this.migrator.getMigrations();
    return migrations.map((migration) => ({ name: migration.name, executedAt: migration.executedAt }));
  }

  private async run(migrate: () => Promise<MigrationResultSet>): Promise<string[]> {
    const locked = () => (this.dialect === 'sqlite' ? withSqliteMigrationLock(this.db, migrate) : migrate());
    const { error, results = [] } = await locked();
    if (error !== undefined) {
      const failed = results.find((result) => result.status === 'Error');
      const where = failed ? ` (migration ${failed.migrationName})` : '';
      throw new Error(
        `migration failed${where}: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
        {
          cause: error,
        },
      );
    }
    return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
  }
}
