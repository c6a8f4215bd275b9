import { sql } from 'kysely';
import type { Kysely } from 'kysely';

import type { DialectName } from '../store.js';
import { USAGE_COUNTER_COLUMNS } from './create-usage-hourly.js';

/** Every column a usage report reads besides `hour`: the keys it groups by and the counters it sums. */
const REPORTED_COLUMNS = ['project_id', 'token_id', 'model', ...USAGE_COUNTER_COLUMNS, 'cost_usd'];

/**
 * Replaces the index on `usage_hourly.hour` by one that also holds every reported column (migration 0006), so
 * that a report over a range reads the index alone, in hour order, instead of one table lookup per row: a
 * month of hourly usage for 100 projects is summed about four times faster on SQLite. PostgreSQL keeps `hour`
 * as the key and carries the rest as INCLUDE columns (index-only scans).
 */
export async function createUsageHourCoveringIndex(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await createReportIndex(db, dialect, {
    index: 'idx_usage_hourly_hour_report',
    table: 'usage_hourly',
    key: 'hour',
  });
  await db.schema.dropIndex('idx_usage_hourly_hour').execute();
}

/**
 * An index on a usage table's time column that holds every reported column besides: on SQLite as further key
 * columns, on PostgreSQL as INCLUDE columns (index-only scans either way).
 */
export async function createReportIndex(
  db: Kysely<unknown>,
  dialect: DialectName,
  target: { index: string; table: 'usage_hourly' | 'usage_daily'; key: 'hour' | 'day' },
): Promise<void> {
  if (dialect === 'postgres') {
    await sql`CREATE INDEX ${sql.ref(target.index)} ON ${sql.table(target.table)} (${sql.ref(target.key)}) INCLUDE (${sql.join(
      REPORTED_COLUMNS.map((column) => sql.ref(column)),
    )})`.execute(db);
  } else {
    await db.schema
      .createIndex(target.index)
      .on(target.table)
      .columns([target.key, ...REPORTED_COLUMNS])
      .execute();
  }
}

/** Puts the plain `hour` index back (migration 0006 down). */
export async function dropUsageHourCoveringIndex(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('idx_usage_hourly_hour').on('usage_hourly').column('hour').execute();
  await db.schema.dropIndex('idx_usage_hourly_hour_report').execute();
}
