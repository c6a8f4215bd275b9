import type { Kysely, Migration } from 'kysely';

import type { DialectName } from '../store.js';
import { adoptPostgresSchema } from './adopt-postgres-schema.js';
import { adoptSqliteSchema } from './adopt-sqlite-schema.js';
import { createUsageDaily, dropUsageDaily } from './create-usage-daily.js';
import { createUsageHourly, dropUsageHourly } from './create-usage-hourly.js';
import { createUsageHourCoveringIndex, dropUsageHourCoveringIndex } from './usage-hour-covering-index.js';

/**
 * The one migration set, for both dialects. `0001_baseline` creates the schema, or adopts a database left by
 * the original program. Later migrations append here; names sort in the order they run.
 */
export function migrationSet(dialect: DialectName): Record<string, Migration> {
  return {
    '0001_baseline': {
      async up(db: Kysely<unknown>) {
        if (dialect === 'postgres') await adoptPostgresSchema(db);
        else await adoptSqliteSchema(db);
      },
      async down(db: Kysely<unknown>) {
        for (const table of ['audit_events', 'tokens', 'projects']) {
          await db.schema.dropTable(table).ifExists().execute();
        }
      },
    },
    '0002_project_provider': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('projects').addColumn('provider', 'text').execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema.alterTable('projects').dropColumn('provider').execute();
      },
    },
    '0003_token_name': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('tokens').addColumn('name', 'text').execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema.alterTable('tokens').dropColumn('name').execute();
      },
    },
    '0004_project_cache_post_ttl': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('projects').addColumn('cache_post_ttl_seconds', 'integer').execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema.alterTable('projects').dropColumn('cache_post_ttl_seconds').execute();
      },
    },
    '0005_usage_hourly': {
      async up(db: Kysely<unknown>) {
        await createUsageHourly(db, dialect);
      },
      async down(db: Kysely<unknown>) {
        await dropUsageHourly(db);
      },
    },
    '0006_usage_hour_report_index': {
      async up(db: Kysely<unknown>) {
        await createUsageHourCoveringIndex(db, dialect);
      },
      async down(db: Kysely<unknown>) {
        await dropUsageHourCoveringIndex(db);
      },
    },
    '0007_usage_daily': {
      async up(db: Kysely<unknown>) {
        await createUsageDaily(db, dialect);
      },
      async down(db: Kysely<unknown>) {
        await dropUsageDaily(db, dialect);
      },
    },
  };
}
