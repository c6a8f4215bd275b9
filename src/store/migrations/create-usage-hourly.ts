import type { Kysely } from 'kysely';

import type { DialectName } from '../store.js';
import { timestampType } from './create-schema.js';

/** The counter columns of `usage_hourly`, every one added to on each flush. */
export const USAGE_COUNTER_COLUMNS = [
  'requests',
  'input_tokens',
  'output_tokens',
  'cached_tokens',
  'reasoning_tokens',
  'cache_hits',
  'errors',
  'estimated_requests',
  'unpriced_requests',
] as const;

/**
 * Creates `usage_hourly` (migration 0005): one row per project, token, model and UTC hour, written only by
 * additive upserts. `token_id` and `model` are never null (`''` when unknown) because a primary key column
 * cannot be, and a unique index over nullable columns treats every null as distinct, which would split one
 * hour's usage over many rows. No foreign keys: usage outlives the projects and tokens it was counted for.
 */
export async function createUsageHourly(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await createUsageCountsTable(db, dialect, 'usage_hourly', 'hour');
  await db.schema.createIndex('idx_usage_hourly_hour').on('usage_hourly').column('hour').execute();
  await db.schema
    .createIndex('idx_usage_hourly_project_hour')
    .on('usage_hourly')
    .columns(['project_id', 'hour'])
    .execute();
}

/**
 * A table of usage counters keyed by project, token, model and the start of a period (`usage_hourly`, and
 * `usage_daily` of migration 0007), primary key `<table>_pkey`.
 */
export async function createUsageCountsTable(
  db: Kysely<unknown>,
  dialect: DialectName,
  table: 'usage_hourly' | 'usage_daily',
  timeColumn: 'hour' | 'day',
): Promise<void> {
  // bigint: one busy project can use more than 2^31 tokens of one model in an hour, and sums grow past it.
  let builder = db.schema
    .createTable(table)
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('token_id', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('model', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn(timeColumn, timestampType(dialect), (c) => c.notNull());
  for (const column of USAGE_COUNTER_COLUMNS) {
    builder = builder.addColumn(column, 'bigint', (c) => c.notNull().defaultTo(0));
  }
  await builder
    .addColumn('cost_usd', 'double precision', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint(`${table}_pkey`, ['project_id', 'token_id', 'model', timeColumn])
    .execute();
}

/** Drops `usage_hourly` and its indexes (migration 0005 down). */
export async function dropUsageHourly(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('usage_hourly').ifExists().execute();
}
