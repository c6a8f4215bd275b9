import { AppError, ERRORS } from '../core/index.js';
import type { UsageDimension, UsagePeriod, UsageQuery } from '../store/index.js';
import type { UsageQueryParams } from './usage-schemas.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The default range: the last day. */
const DEFAULT_RANGE_MS = DAY_MS;
/** Longest range per period: a month of hours, a year of days (leap years included). */
const MAX_RANGE_MS: Record<UsagePeriod, number> = { hour: 31 * DAY_MS, day: 366 * DAY_MS, all: 366 * DAY_MS };
const DIMENSIONS: Record<string, UsageDimension> = { project: 'project', token: 'token', model: 'model' };
/**
 * RFC 3339 date-time (`T` or a space between date and time, as section 5.6 allows; seconds and fraction
 * optional) or a bare date. An offset `+01:00` whose `+` arrived unencoded in a query string reads as a space.
 */
const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?([Zz]|[+\- ]\d{2}:?\d{2}))?$/;

/** A usage query the repository can run, with the range as rounded. */
export type ResolvedUsageQuery = UsageQuery & { readonly by: readonly UsageDimension[] };

/**
 * Reads the query of `GET /manage/usage`: filters (empty = none), the range (`to` defaults to now, `from` to
 * 24 hours before `to`; both rounded outwards to whole periods — hours for `all`; `from` before `to`; at most
 * 31 days by hour, 366 by day or as one bucket) and the breakdowns. Every problem is reported at once as a 400 `validation_failed`.
 */
export function resolveUsageQuery(params: UsageQueryParams, now: Date): ResolvedUsageQuery {
  const problems: string[] = [];
  const groupBy: UsagePeriod = params.group_by ?? 'hour';
  const unit = groupBy === 'day' ? DAY_MS : HOUR_MS;
  const from = parseTime('from', params.from, problems);
  const to = parseTime('to', params.to, problems);
  const by = parseBreakdowns(params.by, problems);
  const end = ceil(to ?? now, unit);
  const start = floor(from ?? new Date((to ?? now).getTime() - DEFAULT_RANGE_MS), unit);
  if (from !== undefined && to === undefined && start.getTime() >= end.getTime()) {
    // A `from` in the future without a `to`: say so instead of answering an empty range.
    problems.push('from must be before to (which defaults to now)');
  } else if (from !== undefined && to !== undefined && from.getTime() >= to.getTime()) {
    problems.push('from must be before to');
  } else if (end.getTime() - start.getTime() > MAX_RANGE_MS[groupBy]) {
    problems.push(
      `the range may span at most ${String(MAX_RANGE_MS[groupBy] / DAY_MS)} days with group_by=${groupBy}` +
        (groupBy === 'hour' ? ' (group by day for up to 366 days)' : ''),
    );
  }
  if (problems.length > 0) {
    throw new AppError(ERRORS.VALIDATION_FAILED, { message: problems.join('; ') });
  }
  return {
    ...filter('projectId', params.project_id),
    ...filter('tokenId', params.token_id),
    ...filter('model', params.model),
    from: start,
    to: end,
    groupBy,
    by,
  };
}

function parseTime(name: string, value: string | undefined, problems: string[]): Date | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const match = DATE_TIME.exec(value.trim());
  const time = match === null ? undefined : new Date(normalise(match));
  if (time === undefined || Number.isNaN(time.getTime()) || !sameDate(time, match)) {
    problems.push(`${name} must be an RFC 3339 date-time such as 2025-03-01T12:00:00Z, or a date`);
    return undefined;
  }
  return time;
}

/** The accepted spellings rewritten into the one form `Date` parses the same everywhere. */
function normalise(match: RegExpExecArray): string {
  const [, date = '', hours = '00', minutes = '00', seconds = '00', fraction = '', zone = 'Z'] = match;
  const millis = `${fraction.slice(1)}000`.slice(0, 3);
  return `${date}T${hours}:${minutes}:${seconds}.${millis}${normaliseZone(zone)}`;
}

function normaliseZone(zone: string): string {
  if (zone.toUpperCase() === 'Z') return 'Z';
  const sign = zone.startsWith('-') ? '-' : '+';
  const digits = zone.slice(1).replace(':', '');
  return `${sign}${digits.slice(0, 2)}:${digits.slice(2, 4)}`;
}

/** `Date` rolls 2025-02-30 over into March; RFC 3339 calls it invalid. */
function sameDate(time: Date, match: RegExpExecArray | null): boolean {
  if (match === null) return false;
  const [year, month, day] = (match[1] ?? '').split('-').map(Number);
  const probe = new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 0));
  return (
    probe.getUTCMonth() === (month ?? 1) - 1 && probe.getUTCDate() === day && !Number.isNaN(time.getTime())
  );
}

function parseBreakdowns(value: string | undefined, problems: string[]): UsageDimension[] {
  if (value === undefined || value.trim() === '') return [];
  const by: UsageDimension[] = [];
  for (const part of value.split(',')) {
    const name = part.trim().toLowerCase();
    const dimension = DIMENSIONS[name];
    if (dimension === undefined) {
      problems.push(
        `by must list project, token or model (comma-separated), not "${part.trim().slice(0, 32)}"`,
      );
    } else if (!by.includes(dimension)) {
      by.push(dimension);
    }
  }
  return by;
}

/** An empty filter (`?model=`) means no filter, as in the other management lists. */
function filter<K extends 'projectId' | 'tokenId' | 'model'>(
  key: K,
  value: string | undefined,
): Partial<Record<K, string>> {
  return value === undefined || value === '' ? {} : ({ [key]: value } as Partial<Record<K, string>>);
}

function floor(time: Date, unit: number): Date {
  return new Date(Math.floor(time.getTime() / unit) * unit);
}

function ceil(time: Date, unit: number): Date {
  return new Date(Math.ceil(time.getTime() / unit) * unit);
}
