import { sql } from 'kysely';
import type { Kysely, RawBuilder, SelectQueryBuilder } from 'kysely';

import { utcDayOfHour } from './migrations/create-usage-daily.js';
import { USAGE_COUNTER_COLUMNS } from './migrations/create-usage-hourly.js';
import { ZERO_USAGE, addUsageCounts } from './records.js';
import type { UsageBucket, UsageCounts, UsageDimension } from './records.js';
import type { UsageDelta, UsageQuery, UsageReport, UsageRepository } from './repositories.js';
import type { Database } from './schema.js';
import type { DialectName } from './store.js';
import { mergeBuckets, toBucket, toCounts } from './usage-buckets.js';
import type { BucketRow, CounterColumn, SumRow } from './usage-buckets.js';
import { usageSources } from './usage-sources.js';
import type { UsageSource } from './usage-sources.js';

const HOUR_MS = 3_600_000;
/**
 * Rows per INSERT: 14 parameters each stays far below PostgreSQL's 65,535 and SQLite's 32,766 parameter
 * limits, and one statement per chunk keeps a large flush to a few round trips.
 */
const ROWS_PER_STATEMENT = 500;
const DIMENSION_COLUMNS: Record<UsageDimension, 'project_id' | 'token_id' | 'model'> = {
  project: 'project_id',
  token: 'token_id',
  model: 'model',
};

/** Both tables, typed as one: they differ only in the name of their time column, always given by name. */
type UsageSelect = SelectQueryBuilder<Database, 'usage_hourly', object>;
type BucketSelect = SelectQueryBuilder<Database, 'usage_hourly', BucketRow>;

/**
 * `usage_hourly` and its daily sums `usage_daily` in SQL: additive upserts of the hours in key order (the
 * database's triggers add them to their days); reports by hour from the hours, by day or over a whole range
 * from the whole days plus the hours at either end of the range.
 */
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
    // One statement is atomic on its own — the triggers that carry it into usage_daily included —, and an
    // explicit transaction would hold SQLite's write lock across awaits; inside Store.transaction the
    // caller's transaction already makes the flush all-or-nothing.
    if (merged.length <= ROWS_PER_STATEMENT || this.db.isTransaction) await write(this.db);
    else await this.db.transaction().execute(write);
  }

  async query(query: UsageQuery): Promise<UsageReport> {
    const sources = usageSources(query.from, query.to, query.groupBy);
    const parts = await Promise.all(sources.map((source) => this.bucketsOf(query, source)));
    const merged =
      parts.length === 1 ? (parts[0]?.buckets ?? []) : mergeBuckets(parts.map((part) => part.buckets));
    // Each part was read up to one bucket past the limit, in report order: the first `limit` merged buckets
    // are whole, and a part cut short means more buckets exist.
    const truncated =
      query.limit !== undefined && (parts.some((part) => part.cut) || merged.length > query.limit);
    const buckets = truncated ? merged.slice(0, query.limit) : merged;

    // The buckets partition the range's rows: unless some were cut off, their sum is the total, and the
    // models without a price need asking for only when some bucket counted an unpriced request. Each query
    // saved is a scan of the range.
    const totals = truncated
      ? (await Promise.all(sources.map((source) => this.totalsOf(query, source)))).reduce(
          addUsageCounts,
          ZERO_USAGE,
        )
      : buckets.reduce<UsageCounts>((sum, bucket) => addUsageCounts(sum, bucket), ZERO_USAGE);
    const unpriced =
      truncated || buckets.some((bucket) => bucket.unpricedRequests > 0)
        ? await Promise.all(sources.map((source) => this.unpricedModelsOf(query, source)))
        : [];
    return {
      buckets,
      totals,
      unpricedModels: [...new Set(unpriced.flat())].sort(),
      truncated,
    };
  }

  /** One table's buckets of the report, up to one past the limit. */
  private async bucketsOf(
    query: UsageQuery,
    source: UsageSource,
  ): Promise<{ buckets: UsageBucket[]; cut: boolean }> {
    const dimensions = [...new Set(query.by ?? [])].map((dimension) => DIMENSION_COLUMNS[dimension]);
    // `all`: the whole range is one period, whose start is the range's (no column to group by).
    const period = query.groupBy === 'all' ? undefined : this.periodStart(query.groupBy, source);
    let buckets: BucketSelect =
      period === undefined
        ? withSums(this.filtered(query, source)).$castTo<BucketRow>()
        : withSums(this.filtered(query, source))
            .select(period.as('period_start'))
            .groupBy(period)
            .orderBy(period)
            .$castTo<BucketRow>();
    for (const column of dimensions) {
      buckets = buckets.select(column).groupBy(column).orderBy(this.byteOrder(column)).$castTo<BucketRow>();
    }
    if (query.limit !== undefined) buckets = buckets.limit(query.limit + 1);
    // Sums over no rows at all are one row of nulls: not a period with usage.
    const rows = (await buckets.execute())
      .filter((row) => row.requests !== null)
      .map((row) => (period === undefined ? { ...row, period_start: query.from } : row));
    const cut = query.limit !== undefined && rows.length > query.limit;
    return { buckets: rows.slice(0, query.limit).map(toBucket), cut };
  }

  private async totalsOf(query: UsageQuery, source: UsageSource): Promise<UsageCounts> {
    const row = await withSums(this.filtered(query, source)).$castTo<SumRow>().executeTakeFirst();
    return row === undefined ? ZERO_USAGE : toCounts(row);
  }

  private async unpricedModelsOf(query: UsageQuery, source: UsageSource): Promise<string[]> {
    const rows = await this.filtered(query, source)
      .select('model')
      .where('unpriced_requests', '>', 0)
      .groupBy('model')
      .execute();
    return rows.map((row) => row.model);
  }

  private filtered(query: UsageQuery, source: UsageSource): UsageSelect {
    const time = sql.ref(source.timeColumn);
    let select = (this.db.selectFrom(source.table as 'usage_hourly') as UsageSelect).where((eb) =>
      eb.or(source.ranges.map(([from, to]) => eb.and([eb(time, '>=', from), eb(time, '<', to)]))),
    );
    if (query.projectId !== undefined) select = select.where('project_id', '=', query.projectId);
    if (query.tokenId !== undefined) select = select.where('token_id', '=', query.tokenId);
    if (query.model !== undefined) select = select.where('model', '=', query.model);
    return select;
  }

  /** The start of the period a row belongs to, as the dialect computes it. */
  private periodStart(period: 'hour' | 'day', source: UsageSource): RawBuilder<Date | string> {
    if (period === 'hour' || source.timeColumn === 'day')
      return sql<Date | string>`${sql.ref(source.timeColumn)}`;
    return utcDayOfHour(this.dialect);
  }

  /**
   * Breakdowns sort by their bytes on both dialects (PostgreSQL's default collation may not), the order in
   * which buckets of two tables are merged.
   */
  private byteOrder(column: 'project_id' | 'token_id' | 'model'): RawBuilder<string> {
    return this.dialect === 'postgres'
      ? sql<string>`${sql.ref(column)} COLLATE "C"`
      : sql<string>`${sql.ref(column)}`;
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
      conflict.columns(['project_id', 'token_id', 'model', 'hour']).doUpdateSet({
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
 * so that concurrent flushes lock the rows they share — and the days the triggers add them to — in the same
 * order and cannot deadlock.
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
