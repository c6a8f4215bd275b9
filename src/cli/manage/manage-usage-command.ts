import { Option } from 'commander';
import type { Command } from 'commander';

import type { UsageReportView } from '../../manage/index.js';
import { CliError } from '../shared/cli-error.js';
import { nonEmpty } from '../shared/option-parsers.js';
import type { Cell } from '../shared/output.js';
import { printResult, printTable } from '../shared/output.js';
import { manageContext } from './manage-context.js';

type UsageBucketJson = UsageReportView['buckets'][number];
type UsageCountsJson = UsageReportView['totals'];

interface UsageFlags {
  project?: string;
  token?: string;
  model?: string;
  from?: string;
  to?: string;
  groupBy?: string;
  by?: string;
}

const BREAKDOWN_HEADS = [
  ['project_id', 'Project'],
  ['token_id', 'Token'],
  ['model', 'Model'],
] as const;

/** Adds `llm-proxy manage usage`: token usage and estimated cost per hour or day, with totals. */
export function registerUsageCommand(manage: Command): void {
  manage
    .command('usage')
    .description('show token usage and estimated cost per hour or day (default: the last 24 hours by hour)')
    .option('--project <id>', 'only this project', nonEmpty)
    .option('--token <id>', 'only this token (its id, not the secret)', nonEmpty)
    .option('--model <name>', 'only this model, as the requests named it', nonEmpty)
    .option('--from <time>', 'start: RFC 3339 date-time (2025-03-01T00:00:00Z) or a date', nonEmpty)
    .option('--to <time>', 'end (exclusive): RFC 3339 date-time or a date; default now', nonEmpty)
    .addOption(
      new Option(
        '--group-by <period>',
        'one row per hour (up to 31 days), per UTC day (up to 366), or all: one row for the whole range',
      )
        .choices(['hour', 'day', 'all'])
        .default('hour'),
    )
    .option(
      '--by <list>',
      'break each period down by project, token and/or model (comma-separated)',
      nonEmpty,
    )
    .action(async (flags: UsageFlags, command: Command) => {
      const context = manageContext(command);
      const query = new URLSearchParams();
      const params: [string, string | undefined][] = [
        ['project_id', flags.project],
        ['token_id', flags.token],
        ['model', flags.model],
        ['from', flags.from],
        ['to', flags.to],
        ['group_by', flags.groupBy],
        ['by', flags.by],
      ];
      for (const [name, value] of params) if (value !== undefined) query.set(name, value);
      const body = await context.client.call('GET', `/manage/usage?${query.toString()}`);
      printResult(context, body, () => {
        printReport(asUsageReport(body));
      });
    });
}

function printReport(report: UsageReportView): void {
  const period = report.group_by === 'day' ? 'Day' : report.group_by === 'all' ? 'From' : 'Hour';
  const range = `${formatPeriod(report.from, 'hour')} to ${formatPeriod(report.to, 'hour')}`;
  if (report.buckets.length === 0) {
    console.log(`No usage from ${range}.`);
    return;
  }
  const breakdowns = BREAKDOWN_HEADS.filter(([field]) => report.buckets.some((bucket) => field in bucket));
  const head = [
    period,
    ...breakdowns.map(([, title]) => title),
    'Requests',
    'Input',
    'Output',
    'Cached',
    'Reasoning',
    'Cache hits',
    'Errors',
    'Est. cost (USD)',
  ];
  const rows: Cell[][] = report.buckets.map((bucket) => [
    formatPeriod(bucket.period_start, report.group_by),
    ...breakdowns.map(([field]) => breakdownCell(bucket, field)),
    ...counterCells(bucket),
  ]);
  rows.push(['Total', ...breakdowns.map(() => ''), ...counterCells(report.totals)]);
  printTable(head, rows);
  console.log(`Usage from ${range} (UTC). Costs are estimates from the price table.`);
  if (report.totals.estimated_requests > 0) {
    console.log(`${String(report.totals.estimated_requests)} requests had estimated token counts.`);
  }
  if (report.unpriced_models.length > 0) {
    const names = report.unpriced_models.map((model) => model ?? '(no model)').join(', ');
    console.log(`No price known for: ${names} (counted at $0).`);
  }
}

function counterCells(counts: UsageCountsJson): Cell[] {
  return [
    counts.requests,
    counts.input_tokens,
    counts.output_tokens,
    counts.cached_tokens,
    counts.reasoning_tokens,
    counts.cache_hits,
    counts.errors,
    formatCost(counts.estimated_cost_usd),
  ];
}

function breakdownCell(bucket: UsageBucketJson, field: (typeof BREAKDOWN_HEADS)[number][0]): Cell {
  const value = bucket[field];
  if (value === undefined) return '';
  return value ?? '(none)';
}

/** `2025-03-01 10:00Z` for an hour, `2025-03-01` for a day. */
function formatPeriod(iso: string, groupBy: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const text = date.toISOString();
  return groupBy === 'day' ? text.slice(0, 10) : `${text.slice(0, 10)} ${text.slice(11, 16)}Z`;
}

/** Dollars and cents from $1; below, four decimals (six under a cent) so that small amounts do not read as 0. */
function formatCost(usd: number): string {
  const size = Math.abs(usd);
  const decimals = usd === 0 || size >= 1 ? 2 : size >= 0.01 ? 4 : 6;
  return `$${usd.toFixed(decimals)}`;
}

// Only the shape the table needs is checked; the API's schema guarantees the rest.
function asUsageReport(body: unknown): UsageReportView {
  if (
    typeof body !== 'object' ||
    body === null ||
    !('buckets' in body) ||
    !Array.isArray(body.buckets) ||
    !('totals' in body) ||
    typeof body.totals !== 'object' ||
    !('unpriced_models' in body) ||
    !Array.isArray(body.unpriced_models)
  ) {
    throw new CliError('the management API answered with an unexpected body (is the URL right?)');
  }
  return body as UsageReportView;
}
