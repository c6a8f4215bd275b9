import type { ProjectView } from '../../manage/index.js';
import { badge, timestamp } from '../render/format.js';
import { html } from '../render/html.js';
import type { SafeHtml } from '../render/html.js';
import { csrfField } from '../render/layout.js';
import type { AdminContext } from '../render/page-context.js';
import { pager } from '../render/pagination.js';
import type { PageOf } from '../render/pagination.js';

const SORT_KEYS = ['name', 'created', 'status'] as const;

/** Rows of a list page unless `?size=` asks for others (at most 100). */
export const PROJECTS_PER_PAGE = 10;

/** A column the list sorts by (`?sort=`). */
export type ProjectSortKey = (typeof SORT_KEYS)[number];

/** Search and sorting of the list, as its query asks for them. */
export interface ProjectListQuery {
  /** Case-insensitive part of a name or id; empty for every project. */
  readonly q: string;
  readonly sort: ProjectSortKey;
  readonly order: 'asc' | 'desc';
}

/** What the list page shows. */
export interface ProjectListModel {
  readonly listQuery: ProjectListQuery;
  readonly page: PageOf<ProjectView>;
  /** How many projects exist before the search, to tell "none yet" from "none matched". */
  readonly totalProjects: number;
}

/** `q`, `sort` and `order` of a query; unknown values fall back to every project by name, ascending. */
export function projectListQueryOf(query: unknown): ProjectListQuery {
  const params = typeof query === 'object' && query !== null ? (query as Record<string, unknown>) : {};
  const q = typeof params.q === 'string' ? params.q.trim() : '';
  const sort = SORT_KEYS.find((key) => key === params.sort) ?? 'name';
  return { q, sort, order: params.order === 'desc' ? 'desc' : 'asc' };
}

/** The projects the search matches, in the asked order (ties by name, so pages are stable). */
export function selectProjects(projects: readonly ProjectView[], listQuery: ProjectListQuery): ProjectView[] {
  const needle = listQuery.q.toLowerCase();
  const matching =
    needle === ''
      ? [...projects]
      : projects.filter(
          (project) =>
            project.name.toLowerCase().includes(needle) || project.id.toLowerCase().includes(needle),
        );
  const byName = (a: ProjectView, b: ProjectView) =>
    a.name.localeCompare(b.name, 'en', { sensitivity: 'base' });
  const compare: Record<ProjectSortKey, (a: ProjectView, b: ProjectView) => number> = {
    name: byName,
    created: (a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || byName(a, b),
    // Ascending puts active projects first.
    status: (a, b) => Number(b.is_active) - Number(a.is_active) || byName(a, b),
  };
  const sign = listQuery.order === 'asc' ? 1 : -1;
  return matching.sort((a, b) => sign * compare[listQuery.sort](a, b));
}

/** The body of `GET /projects`: search, sortable table, pager, or the empty state. */
export function projectListBody(context: AdminContext, model: ProjectListModel): SafeHtml {
  const { listQuery, page } = model;
  const kept = keptQuery(listQuery, page.size);
  const table =
    page.total === 0
      ? emptyState(context, model)
      : html`<div class="table-responsive">
            <table class="table table-hover align-middle">
              <thead>
                <tr>
                  ${sortHeader(context, listQuery, page.size, 'name', 'Name')}
                  <th scope="col">API Key</th>
                  <th scope="col">Provider</th>
                  ${sortHeader(context, listQuery, page.size, 'status', 'Status')}
                  <th scope="col">Cache TTL</th>
                  ${sortHeader(context, listQuery, page.size, 'created', 'Created')}
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                ${page.items.map((project) => projectRow(context, project))}
              </tbody>
            </table>
          </div>
          ${pager(context, '/projects', page, { q: kept.q, sort: kept.sort, order: kept.order })}`;
  return html`${searchForm(context, listQuery, page.size)} ${table}`;
}

/** The body of `GET /projects/{id}`: facts, quick actions, then the usage section given. */
export function projectDetailsBody(context: AdminContext, project: ProjectView, usage: SafeHtml): SafeHtml {
  const tokensUrl = context.url('/tokens', { project_id: project.id });
  return html`<div class="row g-3 mb-4">
      <div class="col-lg-7">
        <div class="card h-100">
          <div class="card-body">
            <h2 class="h5 card-title">Project Information</h2>
            <dl class="row mb-0">
              <dt class="col-sm-4">Status:</dt>
              <dd class="col-sm-8">${statusBadge(project)}</dd>
              <dt class="col-sm-4">ID:</dt>
              <dd class="col-sm-8 d-flex flex-wrap align-items-center gap-2">
                <code id="project-id">${project.id}</code>
                <button
                  type="button"
                  class="btn btn-sm btn-outline-secondary"
                  data-copy-target="project-id"
                  aria-label="Copy project ID"
                >
                  Copy
                </button>
              </dd>
              <dt class="col-sm-4">API Key:</dt>
              <dd class="col-sm-8">
                <code>${project.api_key}</code> <span class="small text-muted">(masked)</span>
              </dd>
              <dt class="col-sm-4">Provider:</dt>
              <dd class="col-sm-8">${providerText(project)}</dd>
              <dt class="col-sm-4">POST cache:</dt>
              <dd class="col-sm-8">
                ${
                  project.cache_post_ttl_seconds === null
                    ? 'Off'
                    : `POST responses cached for ${String(project.cache_post_ttl_seconds)} s`
                }
              </dd>
              <dt class="col-sm-4">Created:</dt>
              <dd class="col-sm-8">${timestamp(project.created_at, 'Never', 'long')}</dd>
              <dt class="col-sm-4">Last Updated:</dt>
              <dd class="col-sm-8">${timestamp(project.updated_at, 'Never', 'long')}</dd>
              ${
                project.deactivated_at === null
                  ? ''
                  : html`<dt class="col-sm-4">Deactivated:</dt>
                      <dd class="col-sm-8">${timestamp(project.deactivated_at)}</dd>`
              }
            </dl>
          </div>
        </div>
      </div>
      <div class="col-lg-5">
        <div class="card h-100">
          <div class="card-body d-grid gap-2">
            <h2 class="h5 card-title">Quick Actions</h2>
            ${
              project.is_active
                ? html`<a
                    class="btn btn-success"
                    href="${context.url('/tokens/new', { project_id: project.id })}"
                    ><i class="bi bi-key" aria-hidden="true"></i> Generate Token</a
                  >`
                : html`<button type="button" class="btn btn-success" disabled>
                    Generate Token (Project Inactive)
                  </button>`
            }
            <a class="btn btn-outline-primary" href="${tokensUrl}">View Project Tokens</a>
            <a class="btn btn-outline-secondary" href="${context.url(`/projects/${project.id}/edit`)}"
              >Edit Project</a
            >
            ${revokeAllForm(context, project, 'details')} ${statusForm(context, project)}
          </div>
        </div>
      </div>
    </div>
    ${usage}`;
}

function projectRow(context: AdminContext, project: ProjectView): SafeHtml {
  const detailsUrl = context.url(`/projects/${project.id}`);
  return html`<tr>
    <td><a href="${detailsUrl}">${project.name}</a></td>
    <td><code>${project.api_key}</code></td>
    <td>${providerText(project)}</td>
    <td>${statusBadge(project)}</td>
    <td>
      ${
        project.cache_post_ttl_seconds === null
          ? html`<span class="text-muted">Off</span>`
          : `${String(project.cache_post_ttl_seconds)} s`
      }
    </td>
    <td>${timestamp(project.created_at)}</td>
    <td>
      <div class="d-flex flex-wrap gap-1">
        <a class="btn btn-sm btn-outline-primary" href="${detailsUrl}">View</a>
        <a class="btn btn-sm btn-outline-secondary" href="${context.url(`/projects/${project.id}/edit`)}"
          >Edit</a
        >
        ${
          project.is_active
            ? html`<a
                class="btn btn-sm btn-outline-success"
                href="${context.url('/tokens/new', { project_id: project.id })}"
                >Generate Token</a
              >`
            : html`<button type="button" class="btn btn-sm btn-outline-success" disabled>
                Generate Token
              </button>`
        }
        ${revokeAllForm(context, project, 'list')}
      </div>
    </td>
  </tr>`;
}

function revokeAllForm(context: AdminContext, project: ProjectView, from: 'list' | 'details'): SafeHtml {
  const small = from === 'list' ? ' btn-sm' : '';
  return html`<form
    method="post"
    action="${context.url(`/projects/${project.id}/revoke-tokens`)}"
    data-confirm="${revokeAllConfirmText(project)}"
    class="${from === 'list' ? 'd-inline' : 'd-grid'}"
  >
    ${csrfField(context)}
    ${from === 'list' ? html`<input type="hidden" name="return_to" value="list" />` : ''}
    <button type="submit" class="btn btn-outline-danger${small}">Revoke All Tokens</button>
  </form>`;
}

function statusForm(context: AdminContext, project: ProjectView): SafeHtml {
  const action = context.url(`/projects/${project.id}/status`);
  if (!project.is_active) {
    return html`<form method="post" action="${action}" class="d-grid">
      ${csrfField(context)}
      <input type="hidden" name="is_active" value="true" />
      <button type="submit" class="btn btn-outline-success">Activate Project</button>
    </form>`;
  }
  return html`<form
    method="post"
    action="${action}"
    class="border rounded p-2"
    data-confirm="${`Are you sure you want to deactivate project "${project.name}"? Its tokens are refused while it is inactive.`}"
  >
    ${csrfField(context)}
    <input type="hidden" name="is_active" value="false" />
    <div class="form-check mb-2">
      <input class="form-check-input" type="checkbox" id="revoke_tokens" name="revoke_tokens" value="true" />
      <label class="form-check-label" for="revoke_tokens">Also revoke all its tokens</label>
    </div>
    <div class="d-grid">
      <button type="submit" class="btn btn-warning">Deactivate Project</button>
    </div>
  </form>`;
}

function searchForm(context: AdminContext, listQuery: ProjectListQuery, size: number): SafeHtml {
  const kept = keptQuery(listQuery, size);
  return html`<form method="get" action="${context.url('/projects')}" class="row g-2 mb-3" role="search">
    <div class="col-sm-8 col-md-6 col-lg-4">
      <label for="project-search" class="visually-hidden">Search projects by name or ID</label>
      <input
        type="search"
        class="form-control"
        id="project-search"
        name="q"
        placeholder="Search by name or ID"
        value="${listQuery.q}"
      />
    </div>
    ${kept.sort === undefined ? '' : html`<input type="hidden" name="sort" value="${kept.sort}" />`}
    ${kept.order === undefined ? '' : html`<input type="hidden" name="order" value="${kept.order}" />`}
    ${kept.size === undefined ? '' : html`<input type="hidden" name="size" value="${kept.size}" />`}
    <div class="col-auto d-flex gap-2">
      <button type="submit" class="btn btn-outline-primary">
        <i class="bi bi-search" aria-hidden="true"></i> Search
      </button>
      ${
        listQuery.q === ''
          ? ''
          : html`<a
              class="btn btn-outline-secondary"
              href="${context.url('/projects', { sort: kept.sort, order: kept.order, size: kept.size })}"
              >Clear</a
            >`
      }
    </div>
  </form>`;
}

function sortHeader(
  context: AdminContext,
  listQuery: ProjectListQuery,
  size: number,
  key: ProjectSortKey,
  label: string,
): SafeHtml {
  const current = listQuery.sort === key;
  const order = current && listQuery.order === 'asc' ? 'desc' : 'asc';
  const kept = keptQuery(listQuery, size);
  const href = context.url('/projects', { q: kept.q, sort: key, order, size: kept.size });
  const direction = listQuery.order === 'asc' ? 'ascending' : 'descending';
  return html`<th scope="col" ${current ? html`aria-sort="${direction}"` : ''}>
    <a class="link-body-emphasis text-decoration-none" href="${href}"
      >${label}${
        current
          ? html` <i
                class="bi bi-caret-${listQuery.order === 'asc' ? 'up' : 'down'}-fill"
                aria-hidden="true"
              ></i
              ><span class="visually-hidden"> (sorted ${direction})</span>`
          : ''
      }</a
    >
  </th>`;
}

function emptyState(context: AdminContext, model: ProjectListModel): SafeHtml {
  const searched = model.totalProjects > 0 && model.listQuery.q !== '';
  return html`<div class="text-center py-5">
    <i class="bi bi-folder-x display-4 text-muted" aria-hidden="true"></i>
    <h2 class="h4 mt-3">No Projects Found</h2>
    ${
      searched
        ? html`<p class="text-muted">No project name or ID contains “${model.listQuery.q}”.</p>
            <a class="btn btn-outline-secondary" href="${context.url('/projects')}">Clear search</a>`
        : html`<p class="text-muted">Create a project to hold a provider API key and issue tokens for it.</p>
            <a class="btn btn-primary" href="${context.url('/projects/new')}">Create Project</a>`
    }
  </div>`;
}

/** The list's state that links keep; defaults are left out so that plain URLs stay plain. */
function keptQuery(
  listQuery: ProjectListQuery,
  size: number,
): { q?: string; sort?: string; order?: string; size?: string } {
  const sorted = listQuery.sort !== 'name' || listQuery.order !== 'asc';
  return {
    ...(listQuery.q !== '' && { q: listQuery.q }),
    ...(sorted && { sort: listQuery.sort, order: listQuery.order }),
    ...(size !== PROJECTS_PER_PAGE && { size: String(size) }),
  };
}

function statusBadge(project: ProjectView): SafeHtml {
  return project.is_active ? badge('Active', 'success') : badge('Inactive', 'secondary');
}

function providerText(project: ProjectView): SafeHtml {
  return project.provider === null
    ? html`<span class="text-muted">default</span>`
    : html`${project.provider}`;
}

/** The `data-confirm` text of a bulk revocation, as the original asks it. */
function revokeAllConfirmText(project: ProjectView): string {
  return `Are you sure you want to revoke ALL tokens for project "${project.name}"? This action cannot be undone.`;
}
