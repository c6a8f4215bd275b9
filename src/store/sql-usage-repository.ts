import { sql } from 'kysely';
import type { Kysely, RawBuilder, SelectQueryBuilder } from 'kysely';

import { USAGE_COUNTER_COLUMNS } from './migrations/create-usage-hourly.js';
import { ZERO_USAGE, addUsageCounts } from './records.js';
import type { UsageBucket, UsageCounts, UsageDimension } from './records.js';
import type { UsageDelta, UsageQuery, UsageReport, UsageRepository } from './repositories.js';
import { toDate } from './row-values.js';
import type { Database } from './schema.js';
import type { DialectName } from './store.js';

const HOUR_MS = 3_600_000;
/**
 * Rows per INSERT: 14 parameters each stays far below PostgreSQL's 65,535 and SQLite's 32,766 parameter
 * limits, and one statement per chunk keeps a large flush to a few round trips.
 */
const ROWS_PER_STATEMENT = 500;
const KEY_COLUMNS = ['project_id', 'token_id', 'model', 'hour'] as const;
const DIMENSION_COLUMNS: Record<UsageDimension, 'project_id' | 'token_id' | 'model'> = {
  project: 'project_id',
  token: 'token_id',
  model: 'model',
};

type CounterColumn = (typeof USAGE_COUNTER_COLUMNS)[number];
type SumRow = Record<CounterColumn | 'cost_usd', number | string | null>;
type BucketRow = SumRow & {
  period_start: Date | string;
  project_id?: string;
  token_id?: string;
  model?: string;
};
type UsageSelect = SelectQueryBuilder<Database, 'usage_hourly', object>;
type BucketSelect = SelectQueryBuilder<Database, 'usage_hourly', BucketRow>;

/** `usage_hourly` in SQL: additive upserts in key order, reports grouped by hour or UTC day. */
export class SqlUsageRepository implements UsageRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  async add(rows: readonly UsageDelta[]): Promise<void> {
    const merged = mergeByKey(rows);
    if (merged.length === 0) return;
    const write = async (db: Kysely<Database>): Promise<void> => {
      for (let start = 0; start < merged.length; start += ROWS_PER_STATEMENT) {
        await upsert(db, merged.slice(start, start + ROWS_PER_STATEMENT));
      }
    };
    // One statement is atomic on its own, and an explicit transaction would hold SQLite's write lock across
    // awaits; inside Store.transaction the caller's transaction already makes the flush all-or-nothing.
    if (merged.length <= ROWS_PER_STATEMENT || this.db.isTransaction) await write(this.db);
    else await this.db.transaction().execute(write);
  }

  async query(query: UsageQuery): Promise<UsageReport> {
    const dimensions = [...new Set(query.by ?? [])].map((dimension) => DIMENSION_COLUMNS[dimension]);
    // `all`: the whole range is one period, whose start is the range's (no column to group by).
    const period = query.groupBy === 'all' ? undefined : this.periodStart(query.groupBy);
    let buckets: BucketSelect =
      period === undefined
        ? withSums(this.filtered(query)).$castTo<BucketRow>()
        : withSums(this.filtered(query))
            .select(period.as('period_start'))
            .groupBy(period)
            .orderBy(period)
            .$castTo<BucketRow>();
    for (const column of dimensions) {
      buckets = buckets.select(column).groupBy(column).orderBy(column).$castTo<BucketRow>();
    }
    if (query.limit !== undefined) buckets = buckets.limit(query.limit + 1);
    // Sums over no rows at all are one row of nulls: not a period with usage.
    const rows = (await buckets.execute())
      .filter((row) => row.requests !== null)
      .map((row) => (period === undefined ? { ...row, period_start: query.from } : row));
    const truncated = query.limit !== undefined && rows.length > query.limit;
    if (truncated) rows.length = query.limit ?? rows.length;

    const periods = rows.map(toBucket);
    // The buckets partition the range's rows: unless some were cut off, their sum is the total, and the
    // models without a price need asking for only when some bucket counted an unpriced request. Each query
    // saved is a scan of the range.
    const totals = truncated
      ? await withSums(this.filtered(query)).$castTo<SumRow>().executeTakeFirst()
      : undefined;
    const unpriced =
      truncated || periods.some((bucket) => bucket.unpricedRequests > 0)
        ? await this.filtered(query)
            .select('model')
            .where('unpriced_requests', '>', 0)
            .groupBy('model')
            .orderBy('model')
            .execute()
        : [];
    return {
      buckets: periods,
      totals: truncated
        ? totals === undefined
          ? ZERO_USAGE
          : toCounts(totals)
        : periods.reduce<UsageCounts>((sum, bucket) => addUsageCounts(sum, bucket), ZERO_USAGE),
      unpricedModels: unpriced.map((row) => row.model),
      truncated,
    };
  }

  private filtered(query: UsageQuery): UsageSelect {
    let select: UsageSelect = this.db
      .selectFrom('usage_hourly')
      .where('hour', '>=', query.from)
      .where('hour', '<', query.to);
    if (query.projectId !== undefined) select = select.where('project_id', '=', query.projectId);
    if (query.tokenId !== undefined) select = select.where('token_id', '=', query.tokenId);
    if (query.model !== undefined) select = select.where('model', '=', query.model);
    return select;
  }

  /** The start of the period an hour belongs to, as the dialect computes it. */
  private periodStart(period: 'hour' | 'day'): RawBuilder<Date | string> {
    if (period === 'hour') return sql<Date | string>`hour`;
    // SQLite holds the hour as the ISO-8601 text we wrote (`2025-03-01T10:00:00.000Z`): its date part is the
    // UTC day. PostgreSQL truncates in UTC explicitly, whatever the session's time zone.
    return this.dialect === 'postgres'
      ? sql<Date>`(date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`
      : sql<string>`(substr(hour, 1, 10) || 'T00:00:00.000Z')`;
  }
}

function withSums(select: UsageSelect): SelectQueryBuilder<Database, 'usage_hourly', SumRow> {
  return select
    .select((eb) =>
      [...USAGE_COUNTER_COLUMNS, 'cost_usd' as const].map((column) =>
        eb.fn.sum<number | string>(column).as(column),
      ),
    )
    .$castTo<SumRow>();
}

async function upsert(db: Kysely<Database>, rows: readonly UsageDelta[]): Promise<void> {
  const added = (column: CounterColumn | 'cost_usd') =>
    sql<number>`${sql.ref(`usage_hourly.${column}`)} + ${sql.ref(`excluded.${column}`)}`;
  await db
    .insertInto('usage_hourly')
    .values(
      rows.map((row) => ({
        project_id: row.projectId,
        token_id: row.tokenId,
        model: row.model,
        hour: row.hour,
        requests: row.requests,
        input_tokens: row.inputTokens,
        output_tokens: row.outputTokens,
        cached_tokens: row.cachedTokens,
        reasoning_tokens: row.reasoningTokens,
        cache_hits: row.cacheHits,
        errors: row.errors,
        estimated_requests: row.estimatedRequests,
        unpriced_requests: row.unpricedRequests,
        cost_usd: row.costUsd,
      })),
    )
    .onConflict((conflict) =>
      conflict.columns([...KEY_COLUMNS]).doUpdateSet({
        requests: added('requests'),
        input_tokens: added('input_tokens'),
        output_tokens: added('output_tokens'),
        cached_tokens: added('cached_tokens'),
        reasoning_tokens: added('reasoning_tokens'),
        cache_hits: added('cache_hits'),
        errors: added('errors'),
        estimated_requests: added('estimated_requests'),
        unpriced_requests: added('unpriced_requests'),
        cost_usd: added('cost_usd'),
      }),
    )
    .execute();
}

/**
 * Sums deltas of the same key (one statement may not update a row twice on PostgreSQL) and sorts them by key,
 * so that concurrent flushes lock the rows they share in the same order and cannot deadlock.
 */
function mergeByKey(rows: readonly UsageDelta[]): UsageDelta[] {
  const byKey = new Map<string, UsageDelta>();
  for (const row of rows) {
    const hour = new Date(Math.floor(row.hour.getTime() / HOUR_MS) * HOUR_MS);
    const key = JSON.stringify([row.projectId, row.tokenId, row.model, hour.getTime()]);
    const seen = byKey.get(key);
    byKey.set(key, seen === undefined ? { ...row, hour } : { ...seen, ...addUsageCounts(seen, row) });
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

function toBucket(row: BucketRow): UsageBucket {
  return {
    periodStart: toDate(row.period_start),
    ...(row.project_id !== undefined && { projectId: row.project_id }),
    ...(row.token_id !== undefined && { tokenId: row.token_id === '' ? null : row.token_id }),
    ...(row.model !== undefined && { model: row.model === '' ? null : row.model }),
    ...toCounts(row),
  };
}

/** PostgreSQL sums bigint columns as numeric (text here); an empty range sums to null. */
function toCounts(row: SumRow): UsageCounts {
  const read = (column: CounterColumn | 'cost_usd'): number => Number(row[column] ?? 0);
  return {
    requests: read('requests'),
    inputTokens: read('input_tokens'),
    outputTokens: read('output_tokens'),
    cachedTokens: read('cached_tokens'),
    reasoningTokens: read('reasoning_tokens'),
    cacheHits: read('cache_hits'),
    errors: read('errors'),
    estimatedRequests: read('estimated_requests'),
    unpricedRequests: read('unpriced_requests'),
    costUsd: read('cost_usd'),
  };
}
