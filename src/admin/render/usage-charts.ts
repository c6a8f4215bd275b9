import type { UsageReportView } from '../../manage/index.js';
import { count, usd } from './format.js';
import { html, trusted } from './html.js';
import type { SafeHtml } from './html.js';
import type { AdminContext } from './page-context.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The time ranges the charts offer, by the value of their `range` query parameter. */
export const USAGE_RANGES = {
  '24h': { label: 'Last 24 hours', spanMs: DAY_MS, groupBy: 'hour' },
  '7d': { label: 'Last 7 days', spanMs: 7 * DAY_MS, groupBy: 'hour' },
  '30d': { label: 'Last 30 days', spanMs: 30 * DAY_MS, groupBy: 'day' },
} as const;

/** A `range` query value. */
export type UsageRangeKey = keyof typeof USAGE_RANGES;

/** The range a page shows: the one asked for, else the last 24 hours. */
export function usageRangeOf(query: unknown): UsageRangeKey {
  const asked =
    typeof query === 'object' && query !== null ? (query as Record<string, unknown>).range : undefined;
  return typeof asked === 'string' && asked in USAGE_RANGES ? (asked as UsageRangeKey) : '24h';
}

/** Exact filters of a usage query. */
export interface UsageFilters {
  readonly project_id?: string;
  readonly token_id?: string;
  readonly model?: string;
}

/** `GET /manage/usage` for a range ending now, optionally broken down (`by=project,model`). */
export async function loadUsage(
  context: AdminContext,
  range: UsageRangeKey,
  filters: UsageFilters = {},
  by?: string,
): Promise<UsageReportView> {
  const spec = USAGE_RANGES[range];
  const to = context.now.getTime();
  return (await context.api({
    method: 'GET',
    path: '/usage',
    query: {
      ...filters,
      from: new Date(to - spec.spanMs).toISOString(),
      to: new Date(to).toISOString(),
      group_by: spec.groupBy,
      by,
    },
  })) as UsageReportView;
}

/** The range picker: links that keep the page's other query parameters. */
export function rangePicker(
  context: AdminContext,
  path: string,
  current: UsageRangeKey,
  query: Readonly<Record<string, string | undefined>> = {},
): SafeHtml {
  return html`<div class="btn-group btn-group-sm" role="group" aria-label="Time range">
    ${(Object.keys(USAGE_RANGES) as UsageRangeKey[]).map(
      (key) =>
        html`<a
          class="btn btn-outline-primary${key === current ? ' active' : ''}"
          ${key === current ? html` aria-current="true"` : ''}
          href="${context.url(path, { ...query, range: key })}"
          >${USAGE_RANGES[key].label}</a
        >`,
    )}
  </div>`;
}

/**
 * Totals and three charts of a usage report — requests with errors and cache hits, tokens in and out, and
 * estimated cost — over every period of the range (periods without usage count zero). `id` keeps the
 * charts of one page apart.
 */
export function usageCharts(report: UsageReportView, range: UsageRangeKey, id: string): SafeHtml {
  const periods = periodStarts(report, range);
  const byStart = new Map<string, UsageReportView['buckets'][number]>();
  for (const bucket of report.buckets) {
    const previous = byStart.get(bucket.period_start);
    byStart.set(bucket.period_start, previous === undefined ? bucket : sumBuckets(previous, bucket));
  }
  const series = (pick: (bucket: UsageReportView['buckets'][number]) => number) =>
    periods.map((start) => {
      const bucket = byStart.get(start);
      return bucket === undefined ? 0 : pick(bucket);
    });
  const daily = USAGE_RANGES[range].groupBy === 'day';
  const charts = [
    {
      key: 'requests',
      title: 'Requests',
      datasets: [
        { label: 'Requests', data: series((b) => b.requests) },
        { label: 'Errors', data: series((b) => b.errors) },
        { label: 'Cache hits', data: series((b) => b.cache_hits) },
      ],
    },
    {
      key: 'tokens',
      title: 'Tokens',
      datasets: [
        { label: 'Input tokens', data: series((b) => b.input_tokens) },
        { label: 'Output tokens', data: series((b) => b.output_tokens) },
      ],
    },
    {
      key: 'cost',
      title: 'Estimated cost (USD)',
      datasets: [{ label: 'Estimated cost (USD)', data: series((b) => round(b.estimated_cost_usd)) }],
    },
  ];
  const totals = report.totals;
  return html`<div class="row g-3 mb-3">
      ${[
        ['Requests', count(totals.requests)],
        ['Errors', count(totals.errors)],
        ['Cache hits', count(totals.cache_hits)],
        ['Input tokens', count(totals.input_tokens)],
        ['Output tokens', count(totals.output_tokens)],
        ['Estimated cost', usd(totals.estimated_cost_usd)],
      ].map(
        ([label, value]) =>
          html`<div class="col-6 col-md-4 col-xl-2">
            <div class="card h-100">
              <div class="card-body py-2">
                <div class="text-muted small">${label}</div>
                <div class="fs-5 fw-semibold" data-usage-total="${label}">${value}</div>
              </div>
            </div>
          </div>`,
      )}
    </div>
    <div class="row g-3">
      ${charts.map((chart) => {
        const dataId = `${id}-${chart.key}-data`;
        return html`<div class="col-lg-4">
          <div class="card h-100">
            <div class="card-body">
              <h3 class="h6">${chart.title}</h3>
              <div class="chart-box">
                <canvas data-chart="${dataId}" role="img" aria-label="${chart.title} over time"></canvas>
              </div>
              ${jsonScript(dataId, { type: 'line', daily, labels: periods, datasets: chart.datasets })}
            </div>
          </div>
        </div>`;
      })}
    </div>
    <p class="small text-muted mt-2 mb-0">
      Costs are estimates from the price table. The current hour may lag by one rollup interval.
    </p>`;
}

/** Data for a script: a JSON block no browser executes, with `<` escaped so it cannot close its element. */
export function jsonScript(id: string, data: unknown): SafeHtml {
  return html`<script type="application/json" id="${id}">
    ${trustedJson(data)}
  </script>`;
}

function trustedJson(data: unknown): SafeHtml {
  return trusted(JSON.stringify(data).replace(/</g, '\\u003c'));
}

function periodStarts(report: UsageReportView, range: UsageRangeKey): string[] {
  const step = USAGE_RANGES[range].groupBy === 'day' ? DAY_MS : HOUR_MS;
  const from = Date.parse(report.from);
  const to = Date.parse(report.to);
  const starts: string[] = [];
  for (let time = from; time < to; time += step) starts.push(new Date(time).toISOString());
  return starts;
}

function sumBuckets(
  a: UsageReportView['buckets'][number],
  b: UsageReportView['buckets'][number],
): UsageReportView['buckets'][number] {
  return {
    ...a,
    requests: a.requests + b.requests,
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    cache_hits: a.cache_hits + b.cache_hits,
    errors: a.errors + b.errors,
    estimated_cost_usd: a.estimated_cost_usd + b.estimated_cost_usd,
  };
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
