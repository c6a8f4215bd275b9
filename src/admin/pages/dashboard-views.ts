import type { SystemStatusView, TokenView, UsageReportView } from '../../manage/index.js';
import { count, timestamp, usd } from '../render/format.js';
import { html } from '../render/html.js';
import type { SafeHtml } from '../render/html.js';
import type { AdminContext } from '../render/page-context.js';
import { percent } from './system-status.js';
import { USAGE_RANGES, rangePicker, usageCharts } from '../render/usage-charts.js';
import type { UsageRangeKey } from '../render/usage-charts.js';

/** The dashboard's counts. */
export interface DashboardStats {
  readonly projects: number;
  readonly activeProjects: number;
  readonly tokens: number;
  readonly activeTokens: number;
  readonly expiredTokens: number;
  readonly revokedTokens: number;
  readonly exhaustedTokens: number;
  /** Every request the tokens have made, as their counters hold it. */
  readonly totalRequests: number;
  /** From the usage rollup: the current UTC day. */
  readonly requestsToday: number;
  /** From the usage rollup: the last seven UTC days, today included. */
  readonly requestsThisWeek: number;
  readonly costThisWeek: number;
  /** Start of the week's usage (UTC midnight six days ago). */
  readonly weekFrom: string;
}

/** Usage of one project, token or model summed over a range; `key` null = none named. */
export interface RankedUsage {
  readonly key: string | null;
  readonly requests: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

/** The busiest projects, tokens and models of the range the report covers. */
export interface Rankings {
  readonly from: string;
  readonly to: string;
  readonly projects: readonly RankedUsage[];
  readonly tokens: readonly RankedUsage[];
  readonly models: readonly RankedUsage[];
}

/** What the System Status card shows; more figures (cache, event bus) can join it here. */
export interface SystemStatus {
  /** The management API answered this page's calls. */
  readonly backendOnline: boolean;
  readonly now: Date;
  /** The server's own figures (`GET /manage/status`). */
  readonly system: SystemStatusView;
}

/** Everything the dashboard shows. */
export interface DashboardData {
  readonly stats: DashboardStats;
  readonly range: UsageRangeKey;
  readonly chart: UsageReportView;
  /** Undefined when the range holds too much usage to break down in one answer. */
  readonly rankings: Rankings | undefined;
  readonly projectNames: ReadonlyMap<string, string>;
  readonly tokensById: ReadonlyMap<string, TokenView>;
  readonly status: SystemStatus;
}

/** The dashboard's body: stat cards, quick actions and status, then usage charts and rankings. */
export function dashboardBody(context: AdminContext, data: DashboardData): SafeHtml {
  return html`${statCards(data.stats)}
    <div class="row g-3 mb-4">
      <div class="col-md-6">${quickActionsCard(context)}</div>
      <div class="col-md-6">${systemStatusCard(data.status)}</div>
    </div>
    <section aria-labelledby="usage-heading">
      <div class="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-3">
        <h2 class="h5 mb-0" id="usage-heading">Usage · ${USAGE_RANGES[data.range].label}</h2>
        ${rangePicker(context, '/dashboard', data.range)}
      </div>
      ${usageCharts(data.chart, data.range, 'dashboard')} ${rankingCards(context, data)}
    </section>`;
}

/**
 * The System Status card: the backend answered, and the server's time (the element the original's tests
 * find as `#server-time`). Kept apart so that further status figures can be added without touching the rest.
 */
export function systemStatusCard(status: SystemStatus): SafeHtml {
  return html`<div class="card h-100">
    <div class="card-body">
      <h2 class="h5 card-title"><i class="bi bi-heart-pulse" aria-hidden="true"></i> System Status</h2>
      <dl class="row mb-0">
        <dt class="col-sm-5">Backend:</dt>
        <dd class="col-sm-7" id="backend-status">
          ${
            status.backendOnline
              ? html`<span class="badge bg-success">Online</span>`
              : html`<span class="badge bg-danger">Offline</span>`
          }
        </dd>
        <dt class="col-sm-5">Current Time:</dt>
        <dd class="col-sm-7">${serverTime(status.now)}</dd>
        <dt class="col-sm-5">Version:</dt>
        <dd class="col-sm-7">
          ${status.system.version} · up ${uptime(status.system.uptime_seconds)} ·
          ${status.system.database.dialect}
        </dd>
        <dt class="col-sm-5">Response cache:</dt>
        <dd class="col-sm-7">
          ${
            status.system.cache.enabled
              ? `${count(status.system.cache.entries)} entries, hit ratio ${percent(status.system.cache.hit_ratio)}`
              : 'off'
          }
        </dd>
        <dt class="col-sm-5">Events:</dt>
        <dd class="col-sm-7 mb-0">
          ${
            status.system.events.enabled
              ? `${count(status.system.events.published)} published, ${count(status.system.events.dropped)} dropped`
              : 'off'
          }
        </dd>
      </dl>
    </div>
  </div>`;
}

function statCards(stats: DashboardStats): SafeHtml {
  const card = (icon: string, label: string, stat: string, value: string, notes: readonly SafeHtml[]) =>
    html`<div class="col-6 col-lg">
      <div class="card h-100">
        <div class="card-body">
          <div class="text-muted small"><i class="bi bi-${icon}" aria-hidden="true"></i> ${label}</div>
          <div class="stat-value" data-stat="${stat}">${value}</div>
          ${notes.map((note) => html`<div class="small text-muted">${note}</div>`)}
        </div>
      </div>
    </div>`;
  const note = (stat: string, value: number, text: string) =>
    html`<span data-stat="${stat}">${count(value)}</span> ${text}`;
  return html`<div class="row g-3 mb-4">
    ${card('folder', 'Projects', 'projects', count(stats.projects), [
      note('active-projects', stats.activeProjects, 'active'),
    ])}
    ${card('key', 'Total Tokens', 'tokens', count(stats.tokens), [
      ...(stats.exhaustedTokens > 0 ? [note('exhausted-tokens', stats.exhaustedTokens, 'exhausted')] : []),
    ])}
    ${card('check-circle', 'Active Tokens', 'active-tokens', count(stats.activeTokens), [
      note('expired-tokens', stats.expiredTokens, 'expired'),
      note('revoked-tokens', stats.revokedTokens, 'revoked'),
    ])}
    ${card('activity', 'Total Requests', 'total-requests', count(stats.totalRequests), [
      note('requests-today', stats.requestsToday, 'today'),
      note('requests-week', stats.requestsThisWeek, 'this week (cache hits included)'),
    ])}
    ${card('currency-dollar', 'Estimated Cost', 'cost-week', usd(stats.costThisWeek), [
      html`this week, since ${timestamp(stats.weekFrom, '', 'date')}`,
    ])}
  </div>`;
}

function quickActionsCard(context: AdminContext): SafeHtml {
  return html`<div class="card h-100">
    <div class="card-body">
      <h2 class="h5 card-title"><i class="bi bi-lightning" aria-hidden="true"></i> Quick Actions</h2>
      <div class="d-flex flex-wrap gap-2">
        <a class="btn btn-primary" href="${context.url('/projects/new')}"
          ><i class="bi bi-plus-circle" aria-hidden="true"></i> Create New Project</a
        >
        <a class="btn btn-success" href="${context.url('/tokens/new')}"
          ><i class="bi bi-key" aria-hidden="true"></i> Generate Token</a
        >
        <a class="btn btn-outline-secondary" href="${context.url('/audit')}"
          ><i class="bi bi-shield-check" aria-hidden="true"></i> View Audit Events</a
        >
      </div>
    </div>
  </div>`;
}

/** The server's time as `timestamp()` renders it, with the id the original's tests look for on the element. */
function serverTime(now: Date): SafeHtml {
  const iso = now.toISOString();
  return html`<time
    id="server-time"
    datetime="${iso}"
    data-local-time="true"
    data-ts="${iso}"
    data-format="datetime"
    title="${iso}"
    >${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC</time
  >`;
}

function rankingCards(context: AdminContext, data: DashboardData): SafeHtml {
  const rankings = data.rankings;
  if (rankings === undefined) {
    return html`<div class="alert alert-info mt-3" role="status">
      This range holds too much usage to rank projects, tokens and models on one page: choose a shorter range.
    </div>`;
  }
  const projectName = (key: string | null) =>
    key === null
      ? html`<span class="text-muted">none</span>`
      : html`<a href="${context.url(`/projects/${key}`)}">${data.projectNames.get(key) ?? key}</a>`;
  const tokenName = (key: string | null) => {
    if (key === null) return html`<span class="text-muted">no token</span>`;
    const token = data.tokensById.get(key);
    const name = token?.name ?? undefined;
    return html`<a href="${context.url(`/tokens/${key}`)}"
      >${name === undefined ? '' : html`${name} `}<code>${token?.token ?? key}</code></a
    >`;
  };
  const modelName = (key: string | null) =>
    key === null ? html`<span class="text-muted">no model named</span>` : html`<code>${key}</code>`;
  return html`<p class="small text-muted mt-4 mb-2">
      Busiest first, from ${timestamp(rankings.from)} to ${timestamp(rankings.to)}.
    </p>
    <div class="row g-3">
      ${rankingCard('top-projects', 'Top Projects', 'Project', rankings.projects, projectName)}
      ${rankingCard('top-tokens', 'Top Tokens', 'Token', rankings.tokens, tokenName)}
      ${rankingCard('top-models', 'Top Models', 'Model', rankings.models, modelName)}
    </div>`;
}

function rankingCard(
  id: string,
  title: string,
  keyLabel: string,
  rows: readonly RankedUsage[],
  nameOf: (key: string | null) => SafeHtml,
): SafeHtml {
  return html`<div class="col-xl-4 col-lg-6">
    <div class="card h-100">
      <div class="card-body">
        <h3 class="h6" id="${id}-heading">${title}</h3>
        ${
          rows.length === 0
            ? html`<p class="text-muted small mb-0">No usage in this range.</p>`
            : html`<div class="table-responsive">
                <table class="table table-sm mb-0" id="${id}" aria-labelledby="${id}-heading">
                  <thead>
                    <tr>
                      <th scope="col">${keyLabel}</th>
                      <th scope="col" class="text-end">Requests</th>
                      <th scope="col" class="text-end">Tokens in / out</th>
                      <th scope="col" class="text-end">Est. cost</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${rows.map(
                      (row) =>
                        html`<tr>
                          <td class="text-break">${nameOf(row.key)}</td>
                          <td class="text-end">${count(row.requests)}</td>
                          <td class="text-end text-nowrap">
                            ${count(row.inputTokens)} / ${count(row.outputTokens)}
                          </td>
                          <td class="text-end">${usd(row.costUsd)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </div>`
        }
      </div>
    </div>
  </div>`;
}

/** Seconds of uptime as "3 d 4 h", "5 h 12 min" or "42 s". */
function uptime(seconds: number): string {
  const whole = Math.floor(seconds);
  if (whole >= 86_400)
    return `${String(Math.floor(whole / 86_400))} d ${String(Math.floor((whole % 86_400) / 3600))} h`;
  if (whole >= 3600)
    return `${String(Math.floor(whole / 3600))} h ${String(Math.floor((whole % 3600) / 60))} min`;
  if (whole >= 60) return `${String(Math.floor(whole / 60))} min`;
  return `${String(whole)} s`;
}
