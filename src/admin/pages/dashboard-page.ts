import type { FastifyInstance } from 'fastify';

import type { ProjectView, SystemStatusView, TokenView, UsageReportView } from '../../manage/index.js';
import { dashboardBody } from './dashboard-views.js';
import type { DashboardStats, RankedUsage, Rankings } from './dashboard-views.js';
import { renderPage } from '../render/layout.js';
import { ManagementApiError } from '../api/management-api.js';
import type { AdminContext } from '../render/page-context.js';
import { adminContext } from '../render/page-context.js';
import { loadSystemStatus } from './system-status.js';
import { USAGE_RANGES, loadUsage, usageRangeOf } from '../render/usage-charts.js';
import type { UsageRangeKey } from '../render/usage-charts.js';

const DAY_MS = 86_400_000;
const WEEK_DAYS = 7;
const TOP = 5;

type Bucket = UsageReportView['buckets'][number];

/**
 * Registers `GET /dashboard`: counts, this week's requests and cost, usage charts and the busiest projects,
 * tokens and models of the chosen range. Three to five API calls, whatever the number of rows behind them.
 */
export function registerDashboardPage(app: FastifyInstance): void {
  app.get('/dashboard', async (request, reply) => {
    const context = adminContext(request);
    const range = usageRangeOf(request.query);
    // Counts come from /status (counting queries), never from the whole token list.
    const [projects, system, usage] = await Promise.all([
      context.api({ method: 'GET', path: '/projects' }) as Promise<ProjectView[]>,
      loadSystemStatus(context),
      loadDashboardUsage(context, range),
    ]);
    const rankings = usage.ranking === undefined ? undefined : rankingsOf(usage.ranking);
    const body = dashboardBody(context, {
      stats: statsOf(system, usage.week, context.now),
      range,
      chart: usage.chart,
      rankings,
      projectNames: new Map(projects.map((project) => [project.id, project.name])),
      tokensById: await topTokens(context, rankings),
      status: { backendOnline: true, now: context.now, system },
    });
    return reply
      .type('text/html; charset=utf-8')
      .send(await renderPage(context, { title: 'Dashboard', section: 'dashboard', body, charts: true }));
  });
}

/**
 * The usage the page needs in a few calls: the rankings as one period per project, token and model
 * (`group_by=all`: a few hundred buckets whatever the range), the chart's periods, and the week's days unless
 * the chart already reaches back a week. A breakdown with more buckets than the API answers leaves the
 * rankings out rather than failing the page.
 */
async function loadDashboardUsage(
  context: AdminContext,
  range: UsageRangeKey,
): Promise<{ chart: UsageReportView; ranking: UsageReportView | undefined; week: UsageReportView }> {
  const spec = USAGE_RANGES[range];
  const ranking = usageCall(context, {
    from: new Date(context.now.getTime() - spec.spanMs),
    to: context.now,
    groupBy: 'all',
    by: 'project,token,model',
  }).catch((error: unknown) => {
    if (error instanceof ManagementApiError && error.status === 400) return undefined;
    throw error;
  });
  const chart = loadUsage(context, range);
  const week =
    spec.spanMs >= WEEK_DAYS * DAY_MS
      ? chart
      : usageCall(context, { from: weekStart(context.now), to: context.now, groupBy: 'day' });
  const [chartReport, rankingReport, weekReport] = await Promise.all([chart, ranking, week]);
  return { chart: chartReport, ranking: rankingReport, week: weekReport };
}

function usageCall(
  context: AdminContext,
  options: { from: Date; to: Date; groupBy: 'hour' | 'day' | 'all'; by?: string },
): Promise<UsageReportView> {
  return context.api({
    method: 'GET',
    path: '/usage',
    query: {
      from: options.from.toISOString(),
      to: options.to.toISOString(),
      group_by: options.groupBy,
      by: options.by,
    },
  }) as Promise<UsageReportView>;
}

/** The few tokens the rankings name, each read on its own (a handful of calls instead of the whole list). */
async function topTokens(
  context: AdminContext,
  rankings: Rankings | undefined,
): Promise<ReadonlyMap<string, TokenView>> {
  const ids = (rankings?.tokens ?? []).flatMap((ranked) => (ranked.key === null ? [] : [ranked.key]));
  const found = await Promise.all(
    ids.map((id) =>
      (context.api({ method: 'GET', path: `/tokens/${encodeURIComponent(id)}` }) as Promise<TokenView>).catch(
        (error: unknown) => {
          // A token deleted from the database since its usage was counted is shown by its id alone.
          if (error instanceof ManagementApiError && error.status < 500) return undefined;
          throw error;
        },
      ),
    ),
  );
  return new Map(found.flatMap((token) => (token === undefined ? [] : [[token.id, token] as const])));
}

function statsOf(
  system: SystemStatusView,
  /** A report with buckets of hours or days that reaches back at least to the week's start. */
  week: UsageReportView,
  now: Date,
): DashboardStats {
  const today = utcMidnight(now).getTime();
  const since = weekStart(now).getTime();
  const sumFrom = (start: number, pick: (bucket: Bucket) => number) =>
    week.buckets
      .filter((bucket) => Date.parse(bucket.period_start) >= start)
      .reduce((sum, bucket) => sum + pick(bucket), 0);
  return {
    projects: system.projects.total,
    activeProjects: system.projects.active,
    tokens: system.tokens.total,
    activeTokens: system.tokens.active,
    expiredTokens: system.tokens.expired,
    revokedTokens: system.tokens.revoked,
    exhaustedTokens: system.tokens.exhausted,
    totalRequests: system.tokens.requests,
    requestsToday: sumFrom(today, (bucket) => bucket.requests),
    requestsThisWeek: sumFrom(since, (bucket) => bucket.requests),
    costThisWeek: sumFrom(since, (bucket) => bucket.estimated_cost_usd),
    weekFrom: new Date(since).toISOString(),
  };
}

function rankingsOf(report: UsageReportView): Rankings {
  return {
    from: report.from,
    to: report.to,
    projects: topBy(report.buckets, (bucket) => bucket.project_id ?? null),
    tokens: topBy(report.buckets, (bucket) => bucket.token_id ?? null),
    models: topBy(report.buckets, (bucket) => bucket.model ?? null),
  };
}

/** Buckets summed per key over the whole range, the busiest first (ties: the costlier first). */
function topBy(buckets: readonly Bucket[], keyOf: (bucket: Bucket) => string | null): RankedUsage[] {
  const sums = new Map<string | null, RankedUsage>();
  for (const bucket of buckets) {
    const key = keyOf(bucket);
    const sum = sums.get(key) ?? { key, requests: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
    sums.set(key, {
      key,
      requests: sum.requests + bucket.requests,
      inputTokens: sum.inputTokens + bucket.input_tokens,
      outputTokens: sum.outputTokens + bucket.output_tokens,
      costUsd: sum.costUsd + bucket.estimated_cost_usd,
    });
  }
  return [...sums.values()].sort((a, b) => b.requests - a.requests || b.costUsd - a.costUsd).slice(0, TOP);
}

/** UTC midnight six days ago: the last seven UTC days include today. */
function weekStart(now: Date): Date {
  return new Date(utcMidnight(now).getTime() - (WEEK_DAYS - 1) * DAY_MS);
}

function utcMidnight(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}
