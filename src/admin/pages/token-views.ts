import type { ProjectView, TokenView, UsageReportView } from '../../manage/index.js';
import { badge, count, timestamp } from '../render/format.js';
import { html } from '../render/html.js';
import type { HtmlValue, SafeHtml } from '../render/html.js';
import { csrfField } from '../render/layout.js';
import type { AdminContext } from '../render/page-context.js';
import { pager } from '../render/pagination.js';
import type { PageOf } from '../render/pagination.js';
import { rangePicker, usageCharts } from '../render/usage-charts.js';
import type { UsageRangeKey } from '../render/usage-charts.js';

/** How each status shows: its label and badge colour. */
const STATUSES: Readonly<
  Record<
    TokenStatusName,
    { readonly label: string; readonly tone: 'success' | 'warning' | 'danger' | 'secondary' }
  >
> = {
  active: { label: 'Active', tone: 'success' },
  expired: { label: 'Expired', tone: 'warning' },
  revoked: { label: 'Revoked', tone: 'danger' },
  exhausted: { label: 'Exhausted', tone: 'secondary' },
};

/** The order a column sorts in when first clicked: soonest expiry first, otherwise the largest or latest. */
const FIRST_ORDER: Readonly<Record<TokenSortKey, 'asc' | 'desc'>> = {
  expires: 'asc',
  last_used: 'desc',
  requests: 'desc',
  created: 'desc',
};

/** A token's status as the API reports it. */
export type TokenStatusName = TokenView['status'];

/** The list's sort columns, by their `sort` query value. */
export type TokenSortKey = 'expires' | 'last_used' | 'requests' | 'created';

/** The filters and sorting of `GET /tokens`, as read from its query. */
export interface TokenListQuery {
  readonly projectId: string | undefined;
  readonly status: TokenStatusName | undefined;
  /** Undefined: the API's order, newest first. */
  readonly sort: TokenSortKey | undefined;
  readonly order: 'asc' | 'desc';
  /** The page size as asked for, kept in the sorting and filter links. */
  readonly size: string | undefined;
}

/** Reads the list's query; unknown statuses and sort keys are ignored rather than failing the page. */
export function tokenListQueryOf(query: unknown): TokenListQuery {
  const params = typeof query === 'object' && query !== null ? (query as Record<string, unknown>) : {};
  const text = (name: string) => {
    const value = params[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const status = text('status');
  const sort = text('sort');
  return {
    projectId: text('project_id'),
    status: status !== undefined && Object.hasOwn(STATUSES, status) ? (status as TokenStatusName) : undefined,
    sort: sort !== undefined && Object.hasOwn(FIRST_ORDER, sort) ? (sort as TokenSortKey) : undefined,
    order: text('order') === 'asc' ? 'asc' : 'desc',
    size: text('size'),
  };
}

/** A token's status as a badge: Active, Expired, Revoked or Exhausted. */
export function statusBadge(status: TokenStatusName): SafeHtml {
  const shown = STATUSES[status];
  return badge(shown.label, shown.tone);
}

/** The labels of the status filter, in the order it offers them. */
export function statusOptions(): readonly { readonly value: TokenStatusName; readonly label: string }[] {
  return (Object.keys(STATUSES) as TokenStatusName[]).map((value) => ({
    value,
    label: STATUSES[value].label,
  }));
}

/** "12 / 100", or "12 / ∞" for an unlimited token. */
export function requestsText(token: TokenView): string {
  return `${count(token.request_count)} / ${token.max_requests === null ? '∞' : count(token.max_requests)}`;
}

/** Whether the token's lifetime is over at the page's instant (a revoked token may be expired too). */
export function isExpired(context: AdminContext, token: TokenView): boolean {
  return token.expires_at !== null && Date.parse(token.expires_at) <= context.now.getTime();
}

/** The confirm text of revoking one token, naming it by its masked form. */
export function revokeConfirmText(token: TokenView): string {
  return `Are you sure you want to revoke token ${token.token}? This action cannot be undone.`;
}

/**
 * The form that revokes a token (POST `_method=DELETE`), asking first with `confirm` (on the form, or on the
 * button when `confirmOnButton`); `returnToDetails` brings the browser back to the token's page.
 */
export function revokeForm(
  context: AdminContext,
  token: TokenView,
  options: {
    readonly confirm: string;
    readonly label: HtmlValue;
    readonly buttonClass: string;
    readonly returnToDetails?: boolean;
    readonly confirmOnButton?: boolean;
  },
): SafeHtml {
  const onButton = options.confirmOnButton === true;
  return html`<form
    method="post"
    action="${context.url(`/tokens/${token.id}`)}"
    class="d-inline"
    ${onButton ? '' : html` data-confirm="${options.confirm}"`}
  >
    ${csrfField(context)}
    <input type="hidden" name="_method" value="DELETE" />
    ${options.returnToDetails === true && html`<input type="hidden" name="return_to" value="details" />`}
    <button
      type="submit"
      class="${options.buttonClass}"
      data-token-id="${token.id}"
      ${onButton ? html` data-confirm="${options.confirm}"` : ''}
    >
      ${options.label}
    </button>
  </form>`;
}

/** The body of the token list: filters, the sortable table of one page, the pager, or the empty state. */
export function tokenListBody(
  context: AdminContext,
  listed: PageOf<TokenView>,
  projects: readonly ProjectView[],
  query: TokenListQuery,
): SafeHtml {
  const names = new Map(projects.map((project) => [project.id, project.name]));
  const filters = { project_id: query.projectId, status: query.status };
  const sorting = { sort: query.sort, order: query.sort === undefined ? undefined : query.order };
  return html`${filterForm(context, projects, query)}
  ${
    listed.total === 0
      ? html`<div class="text-center py-5">
          <i class="bi bi-key fs-1 text-muted" aria-hidden="true"></i>
          <h2 class="h5 mt-2">No Tokens Found</h2>
          <p class="text-muted">
            ${
              query.projectId === undefined && query.status === undefined
                ? 'No token has been generated yet.'
                : 'No token matches these filters.'
            }
          </p>
          <a class="btn btn-primary" href="${context.url('/tokens/new', { project_id: query.projectId })}"
            >Generate Token</a
          >
        </div>`
      : html`<div class="table-responsive">
            <table class="table table-hover align-middle">
              <thead>
                <tr>
                  <th scope="col">Token</th>
                  <th scope="col">Name</th>
                  <th scope="col">Project</th>
                  ${sortHeader(context, 'Requests & Cache', 'requests', query)}
                  <th scope="col">Status</th>
                  ${sortHeader(context, 'Expires', 'expires', query)}
                  ${sortHeader(context, 'Created', 'created', query)}
                  ${sortHeader(context, 'Last Used', 'last_used', query)}
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                ${listed.items.map((token) => tokenRow(context, token, names.get(token.project_id)))}
              </tbody>
            </table>
          </div>
          ${pager(context, '/tokens', listed, { ...filters, ...sorting })}`
  }`;
}

/** The details page: the token's card, what may be done with it, and its usage over the chosen range. */
export function tokenDetailsBody(
  context: AdminContext,
  token: TokenView,
  projectName: string,
  usage: UsageReportView,
  range: UsageRangeKey,
): SafeHtml {
  const row = (label: string, value: HtmlValue) =>
    html`<dt class="col-sm-4 col-lg-3">${label}</dt>
      <dd class="col-sm-8 col-lg-9">${value}</dd>`;
  const left = token.max_requests === null ? 0 : Math.max(token.max_requests - token.request_count, 0);
  return html`<div class="card mb-4">
      <div class="card-body">
        <dl class="row mb-0">
          ${row(
            'Token ID',
            html`<code id="token-id">${token.id}</code>
              <button type="button" class="btn btn-outline-secondary btn-sm ms-2" data-copy-target="token-id">
                Copy
              </button>`,
          )}
          ${row('Token (obfuscated)', html`<code>${token.token}</code>`)}
          ${row('Name', token.name ?? html`<span class="text-muted">—</span>`)}
          ${row('Project', html`<a href="${context.url(`/projects/${token.project_id}`)}">${projectName}</a>`)}
          ${row('Status', statusBadge(token.status))}
          ${row('Expires', token.expires_at === null ? 'Never expires' : timestamp(token.expires_at))}
          ${row(
            'Usage',
            `${count(token.request_count)} requests · ${count(token.cache_hit_count)} cache hits`,
          )}
          ${row(
            'Limit',
            token.max_requests === null
              ? 'Unlimited'
              : `${count(token.max_requests)} requests (${count(left)} left)`,
          )}
          ${row('Created', timestamp(token.created_at, 'Never', 'long'))}
          ${row('Last Used', timestamp(token.last_used_at, 'Never', 'long'))}
          ${token.deactivated_at !== null && row('Revoked', timestamp(token.deactivated_at))}
        </dl>
      </div>
    </div>
    <div class="card mb-4">
      <div class="card-body">
        <h2 class="h5">Actions</h2>
        ${tokenActions(context, token)}
      </div>
    </div>
    <section aria-labelledby="usage-heading">
      <div class="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-3">
        <h2 class="h5 mb-0" id="usage-heading">Usage over time</h2>
        ${rangePicker(context, `/tokens/${token.id}`, range)}
      </div>
      ${usageCharts(usage, range, 'token')}
    </section>`;
}

/** Revoke while it works, reactivate while revoked but not expired; an expired token allows nothing. */
function tokenActions(context: AdminContext, token: TokenView): SafeHtml {
  if (isExpired(context, token)) {
    return html`<button type="button" class="btn btn-secondary" disabled>
      Expired - No Actions Available
    </button>`;
  }
  if (token.is_active) {
    return revokeForm(context, token, {
      confirm: revokeConfirmText(token),
      label: 'Revoke Token',
      buttonClass: 'btn btn-danger',
      returnToDetails: true,
    });
  }
  return html`<form
    method="post"
    action="${context.url(`/tokens/${token.id}`)}"
    class="d-inline"
    data-confirm="Are you sure you want to reactivate token ${token.token}?"
  >
    ${csrfField(context)}
    <input type="hidden" name="_method" value="PUT" />
    <input type="hidden" name="is_active" value="true" />
    <button type="submit" class="btn btn-success">Reactivate Token</button>
  </form>`;
}

function tokenRow(context: AdminContext, token: TokenView, projectName: string | undefined): SafeHtml {
  const revocable = token.is_active && !isExpired(context, token);
  return html`<tr>
    <td><code>${token.token}</code></td>
    <td>${token.name ?? html`<span class="text-muted">—</span>`}</td>
    <td>
      <a href="${context.url(`/projects/${token.project_id}`)}">${projectName ?? token.project_id}</a>
    </td>
    <td>
      <div>${requestsText(token)}</div>
      <div class="small text-muted">${count(token.cache_hit_count)} cache hits</div>
    </td>
    <td>${statusBadge(token.status)}</td>
    <td>${timestamp(token.expires_at, 'Never', 'ymd_hm')}</td>
    <td>${timestamp(token.created_at, 'Never', 'ymd_hm')}</td>
    <td>${timestamp(token.last_used_at, 'Never', 'ymd_hm')}</td>
    <td>
      <div class="d-flex flex-wrap gap-1">
        <a class="btn btn-outline-primary btn-sm" href="${context.url(`/tokens/${token.id}`)}"
          >View<span class="visually-hidden"> token ${token.token}</span></a
        >
        <a class="btn btn-outline-secondary btn-sm" href="${context.url(`/tokens/${token.id}/edit`)}"
          >Edit<span class="visually-hidden"> token ${token.token}</span></a
        >
        ${
          revocable &&
          revokeForm(context, token, {
            confirm: revokeConfirmText(token),
            label: 'Revoke',
            buttonClass: 'btn btn-outline-danger btn-sm',
          })
        }
      </div>
    </td>
  </tr>`;
}

function filterForm(
  context: AdminContext,
  projects: readonly ProjectView[],
  query: TokenListQuery,
): SafeHtml {
  const filtered = query.projectId !== undefined || query.status !== undefined;
  return html`<form method="get" action="${context.url('/tokens')}" class="row g-2 align-items-end mb-3">
    <div class="col-sm-6 col-md-4">
      <label for="filter-project" class="form-label small mb-1">Project</label>
      <select id="filter-project" name="project_id" class="form-select form-select-sm" data-auto-submit>
        <option value="">All projects</option>
        ${projects.map(
          (project) =>
            html`<option value="${project.id}" ${project.id === query.projectId ? html`selected` : ''}>
              ${project.name}
            </option>`,
        )}
      </select>
    </div>
    <div class="col-sm-6 col-md-3">
      <label for="filter-status" class="form-label small mb-1">Status</label>
      <select id="filter-status" name="status" class="form-select form-select-sm" data-auto-submit>
        <option value="">All statuses</option>
        ${statusOptions().map(
          (option) =>
            html`<option value="${option.value}" ${option.value === query.status ? html`selected` : ''}>
              ${option.label}
            </option>`,
        )}
      </select>
    </div>
    ${
      query.sort !== undefined &&
      html`<input type="hidden" name="sort" value="${query.sort}" />
        <input type="hidden" name="order" value="${query.order}" />`
    }
    ${query.size !== undefined && html`<input type="hidden" name="size" value="${query.size}" />`}
    <div class="col-auto d-flex gap-2">
      <button type="submit" class="btn btn-outline-primary btn-sm">Filter</button>
      ${filtered && html`<a class="btn btn-outline-secondary btn-sm" href="${context.url('/tokens')}">Clear</a>`}
    </div>
  </form>`;
}

function sortHeader(
  context: AdminContext,
  label: string,
  key: TokenSortKey,
  query: TokenListQuery,
): SafeHtml {
  const active = query.sort === key;
  const next = active ? (query.order === 'asc' ? 'desc' : 'asc') : FIRST_ORDER[key];
  const href = context.url('/tokens', {
    project_id: query.projectId,
    status: query.status,
    size: query.size,
    sort: key,
    order: next,
  });
  const ariaSort = active ? (query.order === 'asc' ? 'ascending' : 'descending') : undefined;
  return html`<th scope="col" ${ariaSort !== undefined && html`aria-sort="${ariaSort}"`}>
    <a class="link-body-emphasis text-decoration-none" href="${href}"
      >${label}${
        active &&
        html` <i class="bi bi-sort-${query.order === 'asc' ? 'up' : 'down'}" aria-hidden="true"></i>`
      }</a
    >
  </th>`;
}
