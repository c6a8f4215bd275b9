import type { UsagePeriod } from './repositories.js';

const DAY_MS = 86_400_000;

/** Which table answers part of a usage report, and over which ranges of its time column. */
export interface UsageSource {
  readonly table: 'usage_hourly' | 'usage_daily';
  readonly timeColumn: 'hour' | 'day';
  /** Half-open `[from, to)` ranges of row starts, in order, none empty. */
  readonly ranges: readonly (readonly [Date, Date])[];
}

/**
 * Splits a report's range between the two tables. By hour, everything comes from `usage_hourly`. By day or
 * over the whole range, the whole UTC days inside it come from `usage_daily` and only the hours before the
 * first whole day and after the last one from `usage_hourly` — the two never count the same hour.
 */
export function usageSources(from: Date, to: Date, groupBy: UsagePeriod): UsageSource[] {
  const hourly = (ranges: (readonly [Date, Date])[]): UsageSource => ({
    table: 'usage_hourly',
    timeColumn: 'hour',
    ranges,
  });
  if (groupBy === 'hour') return [hourly([[from, to]])];
  const firstWholeDay = new Date(Math.ceil(from.getTime() / DAY_MS) * DAY_MS);
  const afterLastWholeDay = new Date(Math.floor(to.getTime() / DAY_MS) * DAY_MS);
  if (firstWholeDay >= afterLastWholeDay) return [hourly([[from, to]])];
  const edges: (readonly [Date, Date])[] = [];
  if (from < firstWholeDay) edges.push([from, firstWholeDay]);
  if (afterLastWholeDay < to) edges.push([afterLastWholeDay, to]);
  const days: UsageSource = {
    table: 'usage_daily',
    timeColumn: 'day',
    ranges: [[firstWholeDay, afterLastWholeDay]],
  };
  return edges.length === 0 ? [days] : [days, hourly(edges)];
}
