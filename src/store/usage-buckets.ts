import type { USAGE_COUNTER_COLUMNS } from './migrations/create-usage-hourly.js';
import { addUsageCounts } from './records.js';
import type { UsageBucket, UsageCounts } from './records.js';
import { toDate } from './row-values.js';

export type CounterColumn = (typeof USAGE_COUNTER_COLUMNS)[number];
/** The sums a report selects; PostgreSQL sums bigint columns as numeric (text here), no rows as null. */
export type SumRow = Record<CounterColumn | 'cost_usd', number | string | null>;
/** One grouped row of a report query. */
export type BucketRow = SumRow & {
  period_start: Date | string;
  project_id?: string;
  token_id?: string;
  model?: string;
};

export function toBucket(row: BucketRow): UsageBucket {
  return {
    periodStart: toDate(row.period_start),
    ...(row.project_id !== undefined && { projectId: row.project_id }),
    ...(row.token_id !== undefined && { tokenId: row.token_id === '' ? null : row.token_id }),
    ...(row.model !== undefined && { model: row.model === '' ? null : row.model }),
    ...toCounts(row),
  };
}

export function toCounts(row: SumRow): UsageCounts {
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

/**
 * Adds up the buckets of the same period and breakdown that several tables answered, in report order:
 * period, then project, token and model (an unknown token or model, `null`, first, as `''` sorts in SQL).
 */
export function mergeBuckets(parts: readonly (readonly UsageBucket[])[]): UsageBucket[] {
  const byKey = new Map<string, UsageBucket>();
  for (const bucket of parts.flat()) {
    const key = bucketKey(bucket);
    const seen = byKey.get(key);
    byKey.set(key, seen === undefined ? bucket : { ...seen, ...addUsageCounts(seen, bucket) });
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, bucket]) => bucket);
}

/** A key whose string order is the report's order: a fixed-width time, then the breakdowns. */
function bucketKey(bucket: UsageBucket): string {
  return [
    bucket.periodStart.toISOString(),
    bucket.projectId ?? '',
    bucket.tokenId ?? '',
    bucket.model ?? '',
  ].join('\u0000');
}
