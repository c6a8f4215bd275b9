import { badge, timestamp } from '../render/format.js';
import { html } from '../render/html.js';
import type { SafeHtml } from '../render/html.js';
import type { AdminContext } from '../render/page-context.js';
import { pager } from '../render/pagination.js';

/** The outcomes the audit trail records, in the order the filter offers them. */
export const AUDIT_OUTCOMES = ['success', 'failure', 'denied', 'error'] as const;

/** The audit list's filters besides `search`, as `/manage/audit` names them, with their labels. */
export const AUDIT_FILTERS = [
  { name: 'action', label: 'Action', placeholder: 'e.g. token.create' },
  { name: 'outcome', label: 'Outcome', placeholder: '' },
  { name: 'project_id', label: 'Project ID', placeholder: '' },
  { name: 'actor', label: 'Actor', placeholder: 'e.g. management_api' },
  { name: 'client_ip', label: 'IP Address', placeholder: '' },
  { name: 'request_id', label: 'Request ID', placeholder: '' },
  { name: 'correlation_id', label: 'Correlation ID', placeholder: '' },
  { name: 'method', label: 'HTTP Method', placeholder: 'e.g. POST' },
  { name: 'path', label: 'Endpoint', placeholder: 'e.g. /manage/tokens' },
  { name: 'start_time', label: 'From (UTC)', placeholder: 'e.g. 2025-01-31T12:00' },
  { name: 'end_time', label: 'To (UTC)', placeholder: 'e.g. 2025-01-31T18:00' },
] as const;

/** A filter's query name. */
export type AuditFilterName = (typeof AUDIT_FILTERS)[number]['name'];

/** The search box, filters and page size as the list was asked for them (absent ones left out). */
export type AuditQuery = Partial<Record<AuditFilterName | 'search' | 'page_size', string>>;

/** An audit event as `/manage/audit` shows it (the fields the pages use). */
export interface AuditEventJson {
  readonly id: string;
  readonly timestamp: string;
  readonly action: string;
  readonly actor: string;
  readonly project_id: string | null;
  readonly request_id: string | null;
  readonly correlation_id: string | null;
  readonly client_ip: string | null;
  readonly method: string | null;
  readonly path: string | null;
  readonly user_agent: string | null;
  readonly outcome: string;
  readonly reason: string | null;
  /** Masked. */
  readonly token_id: string | null;
  /** JSON text of the details. */
  readonly metadata: string | null;
}

/** A page of `/manage/audit`. */
export interface AuditPageJson {
  readonly events: readonly AuditEventJson[];
  readonly pagination: {
    readonly page: number;
    readonly page_size: number;
    readonly total_count: number;
    readonly total_pages: number;
  };
}

/** What the list page shows below the form: events, an API refusal of the filters, or audit switched off. */
export type AuditListContent =
  | { readonly kind: 'events'; readonly result: AuditPageJson }
  | { readonly kind: 'invalid'; readonly message: string }
  | { readonly kind: 'unavailable' };

/** The body of `/audit`: search and filters, then the table with its pager, or why there is none. */
export function auditListBody(context: AdminContext, query: AuditQuery, content: AuditListContent): SafeHtml {
  return html`${auditSearchForm(context, query)}
  ${
    content.kind === 'unavailable'
      ? auditUnavailableNotice()
      : content.kind === 'invalid'
        ? html`<div class="alert alert-danger" role="alert">${content.message}</div>`
        : auditTable(context, query, content.result)
  }`;
}

/** The body of `/audit/{id}`. */
export function auditDetailsBody(context: AdminContext, event: AuditEventJson): SafeHtml {
  const row = (label: string, value: SafeHtml | string) =>
    html`<tr>
      <td class="text-muted text-nowrap">${label}</td>
      <td>${value}</td>
    </tr>`;
  const codeOrNone = (value: string | null) => (value === null ? none() : html`<code>${value}</code>`);
  const textOrNone = (value: string | null) => (value === null ? none() : value);
  return html`<div class="card mb-3">
    <div class="card-body">
      <h5 class="card-title mb-3">Event #${event.id}</h5>
      <div class="row g-3">
        <div class="col-md-6">
          <div class="table-responsive">
            <table class="table table-sm table-borderless mb-0">
              <tbody>
                ${row('Timestamp:', timestamp(event.timestamp, '', 'ymd_hms_tz'))}
                ${row('Action:', actionBadge(event.action))} ${row('Actor:', event.actor)}
                ${row('Outcome:', outcomeBadge(event.outcome))}
              </tbody>
            </table>
          </div>
        </div>
        <div class="col-md-6">
          <div class="table-responsive">
            <table class="table table-sm table-borderless mb-0">
              <tbody>
                ${row('IP Address:', codeOrNone(event.client_ip))}
                ${row('User Agent:', html`<span class="text-break">${textOrNone(event.user_agent)}</span>`)}
                ${row('HTTP Method:', textOrNone(event.method))} ${row('Endpoint:', codeOrNone(event.path))}
              </tbody>
            </table>
          </div>
        </div>
      </div>
      <h6 class="text-muted mt-4">Identifiers</h6>
      <div class="table-responsive">
        <table class="table table-sm table-borderless mb-0">
          <tbody>
            ${row(
              'Project ID:',
              event.project_id === null
                ? none()
                : html`<a href="${context.url(`/projects/${event.project_id}`)}"
                    ><code>${event.project_id}</code></a
                  >`,
            )}
            ${row('Token ID:', codeOrNone(event.token_id))}
            ${row('Request ID:', codeOrNone(event.request_id))}
            ${row('Correlation ID:', codeOrNone(event.correlation_id))}
          </tbody>
        </table>
      </div>
      ${
        event.metadata === null
          ? ''
          : html`<h6 class="text-muted mt-4">Additional Details</h6>
              <pre
                class="bg-light border rounded p-3 mb-0"
                tabindex="0"
              ><code>${prettyJson(event.metadata)}</code></pre>`
      }
      ${
        event.reason === null
          ? ''
          : html`<h6 class="text-muted mt-4">Error Information</h6>
              <div class="alert alert-danger mb-0" role="alert">${event.reason}</div>`
      }
    </div>
  </div>`;
}

/** Shown instead of events when the API keeps none in the database. */
export function auditUnavailableNotice(): SafeHtml {
  return html`<div class="alert alert-warning" role="alert">
    <h2 class="h5">
      <i class="bi bi-exclamation-triangle" aria-hidden="true"></i> Audit events are not stored
    </h2>
    <p class="mb-0">
      This gateway writes audit events only to its log file, so they cannot be searched here. Set
      <code>AUDIT_STORE_IN_DB=true</code> to keep them in the database.
    </p>
  </div>`;
}

/** An action name as a badge, coloured by what the action does. */
export function actionBadge(action: string): SafeHtml {
  const verb = action.slice(action.lastIndexOf('.') + 1);
  if (/create|login/.test(verb)) return badge(action, 'success');
  if (/revoke|delete|purge/.test(verb)) return badge(action, 'danger');
  if (/update|rotate/.test(verb)) return badge(action, 'warning');
  return badge(action, 'info');
}

/** An outcome as a badge: success green, denied amber, failure and error red. */
export function outcomeBadge(outcome: string): SafeHtml {
  if (outcome === 'success') return badge(outcome, 'success');
  if (outcome === 'denied') return badge(outcome, 'warning');
  return badge(outcome, 'danger');
}

function auditSearchForm(context: AdminContext, query: AuditQuery): SafeHtml {
  return html`<form method="get" action="${context.url('/audit')}" class="card card-body mb-3">
    <div class="row g-2 align-items-end mb-2">
      <div class="col">
        <label for="audit-search" class="form-label small">Search</label>
        <input
          type="search"
          class="form-control"
          id="audit-search"
          name="search"
          value="${query.search ?? ''}"
          placeholder="Search events (action, actor, IP, path, request id, ...)"
        />
      </div>
      <div class="col-auto d-flex gap-2">
        <button type="submit" class="btn btn-primary">
          <i class="bi bi-search" aria-hidden="true"></i> Search
        </button>
        <a class="btn btn-outline-secondary" href="${context.url('/audit')}">
          <i class="bi bi-x-circle" aria-hidden="true"></i> Clear
        </a>
      </div>
    </div>
    <div class="row g-2">
      ${AUDIT_FILTERS.map(
        (filter) =>
          html`<div class="col-6 col-md-4 col-xl-3">
            <label for="audit-${filter.name}" class="form-label small mb-1">${filter.label}</label>
            ${filterInput(filter, query[filter.name])}
          </div>`,
      )}
      <div class="col-6 col-md-4 col-xl-3">
        <label for="audit-page-size" class="form-label small mb-1">Per page</label>
        <select class="form-select form-select-sm" id="audit-page-size" name="page_size" data-auto-submit>
          ${[20, 50, 100].map(
            (size) =>
              html`<option value="${size}" ${String(size) === query.page_size ? html`selected` : ''}>
                ${size}
              </option>`,
          )}
        </select>
      </div>
    </div>
  </form>`;
}

function filterInput(filter: (typeof AUDIT_FILTERS)[number], value: string | undefined): SafeHtml {
  const id = `audit-${filter.name}`;
  if (filter.name === 'outcome') {
    return html`<select class="form-select form-select-sm" id="${id}" name="outcome">
      <option value="">Any</option>
      ${AUDIT_OUTCOMES.map(
        (outcome) =>
          html`<option value="${outcome}" ${outcome === value ? html`selected` : ''}>${outcome}</option>`,
      )}
    </select>`;
  }
  const time = filter.name === 'start_time' || filter.name === 'end_time';
  // A value a datetime-local input cannot hold (a date, an offset) stays in a text input, so it is not lost.
  const type =
    time && (value === undefined || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value))
      ? 'datetime-local'
      : 'text';
  return html`<input
    type="${type}"
    class="form-control form-control-sm"
    id="${id}"
    name="${filter.name}"
    value="${value ?? ''}"
    ${type === 'datetime-local' ? html`step="1"` : html`placeholder="${filter.placeholder}"`}
  />`;
}

function auditTable(context: AdminContext, query: AuditQuery, result: AuditPageJson): SafeHtml {
  if (result.events.length === 0) return emptyState(query);
  const { page, page_size: size, total_count: total, total_pages: pages } = result.pagination;
  return html`<div class="card">
    <div class="table-responsive">
      <table class="table table-hover align-middle mb-0">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Action</th>
            <th scope="col">Actor</th>
            <th scope="col">Outcome</th>
            <th scope="col">IP Address</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          ${result.events.map(
            (event) =>
              html`<tr>
                <td class="text-nowrap">${timestamp(event.timestamp, '', 'ymd_hms')}</td>
                <td>${actionBadge(event.action)}</td>
                <td>${event.actor}</td>
                <td>${outcomeBadge(event.outcome)}</td>
                <td>${event.client_ip === null ? none() : html`<code>${event.client_ip}</code>`}</td>
                <td>
                  <a class="btn btn-sm btn-outline-primary" href="${context.url(`/audit/${event.id}`)}"
                    ><i class="bi bi-eye" aria-hidden="true"></i> View<span class="visually-hidden">
                      event ${event.id}</span
                    ></a
                  >
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <div class="card-footer bg-white">
      ${pager(context, '/audit', { page, pages: Math.max(pages, 1), size, total }, query, 'page_size')}
    </div>
  </div>`;
}

function emptyState(query: AuditQuery): SafeHtml {
  const filtered = Object.keys(query).some((name) => name !== 'page_size');
  return html`<div class="text-center py-5">
    <i class="bi bi-shield-x display-4 text-muted" aria-hidden="true"></i>
    <h2 class="h5 mt-3">No Audit Events Found</h2>
    <p class="text-muted mb-0">
      ${
        filtered
          ? 'No event matches this search. Try other terms or clear the filters.'
          : 'Events appear here as the management API and this admin UI are used.'
      }
    </p>
  </div>`;
}

/** Metadata pretty-printed when it is JSON, else as it was stored. */
function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function none(): SafeHtml {
  return html`<span class="text-muted">—</span>`;
}
