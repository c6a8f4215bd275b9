import { sql } from 'kysely';
import type { Kysely, RawBuilder } from 'kysely';

import type { DialectName } from '../store.js';
import { USAGE_COUNTER_COLUMNS, createUsageCountsTable } from './create-usage-hourly.js';
import { createReportIndex } from './usage-hour-covering-index.js';

const SUMMED_COLUMNS = [...USAGE_COUNTER_COLUMNS, 'cost_usd'];

/**
 * Creates `usage_daily` (migration 0007): the same counters as `usage_hourly`, summed per UTC day. Reports by
 * day or over a whole range read whole days here — 24 times fewer rows — and only the hours at either end of
 * the range from `usage_hourly`. The rows already recorded are summed into it, so that no report changes
 * across the migration, and from then on the database keeps it: triggers on `usage_hourly` add every
 * inserted, updated or deleted hour to its day within the same statement — atomic without a transaction, and
 * whichever version of the program wrote the hour.
 */
export async function createUsageDaily(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await createUsageCountsTable(db, dialect, 'usage_daily', 'day');
  // Like usage_hourly's report index: a range of days is summed from the index alone.
  await createReportIndex(db, dialect, {
    index: 'idx_usage_daily_day_report',
    table: 'usage_daily',
    key: 'day',
  });
  await db.schema
    .createIndex('idx_usage_daily_project_day')
    .on('usage_daily')
    .columns(['project_id', 'day'])
    .execute();
  const columns = sql.join(SUMMED_COLUMNS.map((column) => sql.ref(column)));
  const sums = sql.join(SUMMED_COLUMNS.map((column) => sql`sum(${sql.ref(column)})`));
  const day = utcDayOfHour(dialect);
  await sql`INSERT INTO usage_daily (project_id, token_id, model, day, ${columns})
    SELECT project_id, token_id, model, ${day}, ${sums} FROM usage_hourly
    GROUP BY project_id, token_id, model, ${day}`.execute(db);
  if (dialect === 'postgres') await createPostgresTriggers(db);
  else await createSqliteTriggers(db);
}

/** Drops `usage_daily`, its indexes and triggers (migration 0007 down); `usage_hourly` still holds every count. */
export async function dropUsageDaily(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect === 'postgres') {
    await sql`DROP TRIGGER IF EXISTS usage_hourly_to_daily ON usage_hourly`.execute(db);
    await sql`DROP FUNCTION IF EXISTS usage_hourly_to_daily()`.execute(db);
  } else {
    for (const event of SQLITE_TRIGGER_EVENTS) {
      await sql`DROP TRIGGER IF EXISTS ${sql.raw(`usage_hourly_to_daily_on_${event}`)}`.execute(db);
    }
  }
  await db.schema.dropTable('usage_daily').ifExists().execute();
}

const SQLITE_TRIGGER_EVENTS = ['insert', 'update', 'delete'] as const;

/**
 * One upsert that adds a row of `usage_hourly` — `NEW` or `OLD` inside a trigger — to its day, negated for a
 * row that goes away. An update adds the new row and takes the old one away, which is right even if it moved
 * the row to another key.
 */
function addToDay(dialect: DialectName, row: 'NEW' | 'OLD', sign: 1 | -1): string {
  const day =
    dialect === 'postgres'
      ? `date_trunc('day', ${row}.hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`
      : `substr(${row}.hour, 1, 10) || 'T00:00:00.000Z'`;
  const values = SUMMED_COLUMNS.map((column) => `${sign === 1 ? '' : '-'}${row}.${column}`);
  return `INSERT INTO usage_daily (project_id, token_id, model, day, ${SUMMED_COLUMNS.join(', ')})
    VALUES (${row}.project_id, ${row}.token_id, ${row}.model, ${day}, ${values.join(', ')})
    ON CONFLICT (project_id, token_id, model, day) DO UPDATE SET
    ${SUMMED_COLUMNS.map((column) => `${column} = usage_daily.${column} + excluded.${column}`).join(', ')};`;
}

async function createSqliteTriggers(db: Kysely<unknown>): Promise<void> {
  const bodies: Record<(typeof SQLITE_TRIGGER_EVENTS)[number], string[]> = {
    insert: [addToDay('sqlite', 'NEW', 1)],
    update: [addToDay('sqlite', 'NEW', 1), addToDay('sqlite', 'OLD', -1)],
    delete: [addToDay('sqlite', 'OLD', -1)],
  };
  for (const event of SQLITE_TRIGGER_EVENTS) {
    await sql
      .raw(
        `CREATE TRIGGER usage_hourly_to_daily_on_${event} AFTER ${event.toUpperCase()} ON usage_hourly
        BEGIN ${bodies[event].join(' ')} END`,
      )
      .execute(db);
  }
}

async function createPostgresTriggers(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `CREATE FUNCTION usage_hourly_to_daily() RETURNS trigger LANGUAGE plpgsql AS $body$
      BEGIN
        IF TG_OP <> 'DELETE' THEN ${addToDay('postgres', 'NEW', 1)} END IF;
        IF TG_OP <> 'INSERT' THEN ${addToDay('postgres', 'OLD', -1)} END IF;
        RETURN NULL;
      END $body$`,
    )
    .execute(db);
  await sql`CREATE TRIGGER usage_hourly_to_daily AFTER INSERT OR UPDATE OR DELETE ON usage_hourly
    FOR EACH ROW EXECUTE FUNCTION usage_hourly_to_daily()`.execute(db);
}

/**
 * The start of the UTC day of `usage_hourly.hour`, in the column's own type. SQLite holds the hour as the
 * ISO-8601 text the store wrote (`2025-03-01T10:00:00.000Z`): its date part is the UTC day. PostgreSQL
 * truncates in UTC explicitly, whatever the session's time zone.
 */
export function utcDayOfHour(dialect: DialectName): RawBuilder<Date | string> {
  return dialect === 'postgres'
    ? sql<Date>`(date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`
    : sql<string>`(substr(hour, 1, 10) || 'T00:00:00.000Z')`;
}
