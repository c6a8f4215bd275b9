import type { ProjectView, TokenView } from '../../manage/index.js';
import { count } from '../render/format.js';
import { html } from '../render/html.js';
import type { SafeHtml } from '../render/html.js';
import { csrfField } from '../render/layout.js';
import type { AdminContext } from '../render/page-context.js';
import { DEFAULT_TOKEN_DURATION, TOKEN_DURATIONS, durationLabel } from './token-snippets.js';
import { revokeForm } from './token-views.js';

/** Longest token name the forms accept (the API's limit). */
const MAX_NAME_LENGTH = 100;

/** What the "Generate Token" form shows in its fields (as typed, on a re-render). */
export interface NewTokenValues {
  readonly projectId: string | undefined;
  readonly durationMinutes: string;
  readonly maxRequests: string;
  readonly name: string;
}

/** What the "Edit Token" form shows in its editable fields. */
export interface EditTokenValues {
  readonly maxRequests: string;
  readonly isActive: boolean;
  readonly name: string;
}

/** The empty "Generate Token" form, with the project of `?project_id=` chosen. */
export function newTokenValues(projectId: string | undefined): NewTokenValues {
  return { projectId, durationMinutes: String(DEFAULT_TOKEN_DURATION), maxRequests: '', name: '' };
}

/** The edit form's fields as the token holds them now. */
export function editTokenValues(token: TokenView): EditTokenValues {
  return {
    maxRequests: token.max_requests === null ? '' : String(token.max_requests),
    isActive: token.is_active,
    name: token.name ?? '',
  };
}

/** The "Generate Token" form; inactive projects are listed but cannot be chosen. */
export function newTokenForm(
  context: AdminContext,
  projects: readonly ProjectView[],
  values: NewTokenValues,
  error?: string,
): SafeHtml {
  const anyActive = projects.some((project) => project.is_active);
  return html`${errorAlert(error)}
    ${
      !anyActive &&
      html`<div class="alert alert-warning" role="alert">
        Tokens are issued for active projects only, and there is none.
        <a href="${context.url('/projects/new')}">Create a project</a> or activate one first.
      </div>`
    }
    <div class="card">
      <div class="card-body">
        <form method="post" action="${context.url('/tokens')}">
          ${csrfField(context)}
          <div class="mb-3">
            <label for="project_id" class="form-label">Project</label>
            <select id="project_id" name="project_id" class="form-select" required>
              <option value="">Select a project</option>
              ${projects.map((project) =>
                project.is_active
                  ? html`<option
                      value="${project.id}"
                      ${project.id === values.projectId ? html`selected` : ''}
                    >
                      ${project.name}
                    </option>`
                  : html`<option value="${project.id}" disabled>${project.name} - INACTIVE</option>`,
              )}
            </select>
          </div>
          <div class="row g-3 mb-3">
            <div class="col-md-6">
              <label for="duration_minutes" class="form-label">Duration</label>
              <select id="duration_minutes" name="duration_minutes" class="form-select" required>
                ${TOKEN_DURATIONS.map(
                  (minutes) =>
                    html`<option
                      value="${minutes}"
                      ${String(minutes) === values.durationMinutes ? html`selected` : ''}
                    >
                      ${durationLabel(minutes)}
                    </option>`,
                )}
              </select>
              <div class="form-text">The token stops working after this time.</div>
            </div>
            <div class="col-md-6">${maxRequestsField(values.maxRequests)}</div>
          </div>
          <div class="mb-3">
            <label for="name" class="form-label">Name <span class="text-muted">(optional)</span></label>
            <input
              type="text"
              id="name"
              name="name"
              class="form-control"
              maxlength="${MAX_NAME_LENGTH}"
              value="${values.name}"
            />
          </div>
          <div class="d-flex gap-2">
            <button type="submit" class="btn btn-primary">Generate Token</button>
            <a class="btn btn-outline-secondary" href="${context.url('/tokens')}">Cancel</a>
          </div>
        </form>
      </div>
    </div>`;
}

/** The "Edit Token" form: what cannot change is shown read-only; below it, the Danger Zone. */
export function editTokenForm(
  context: AdminContext,
  token: TokenView,
  projectName: string,
  values: EditTokenValues,
  error?: string,
): SafeHtml {
  const readOnly = (id: string, label: string, value: string) =>
    html`<div class="col-md-6">
      <label for="${id}" class="form-label">${label}</label>
      <input type="text" id="${id}" class="form-control" value="${value}" readonly />
    </div>`;
  return html`${errorAlert(error)}
    <div class="card mb-4">
      <div class="card-body">
        <form method="post" action="${context.url(`/tokens/${token.id}`)}">
          ${csrfField(context)}
          <input type="hidden" name="_method" value="PUT" />
          <div class="row g-3 mb-3">
            ${readOnly('token_id', 'Token ID', token.id)}
            ${readOnly('token', 'Token (obfuscated)', token.token)}
            ${readOnly('project', 'Project', projectName)}
            ${readOnly('request_count', 'Requests', count(token.request_count))}
            ${readOnly('expires_at', 'Expires', token.expires_at === null ? 'Never' : utcText(token.expires_at))}
          </div>
          <div class="row g-3 mb-3">
            <div class="col-md-6">${maxRequestsField(values.maxRequests)}</div>
            <div class="col-md-6">
              <label for="name" class="form-label">Name</label>
              <input
                type="text"
                id="name"
                name="name"
                class="form-control"
                maxlength="${MAX_NAME_LENGTH}"
                value="${values.name}"
              />
            </div>
          </div>
          <div class="form-check form-switch mb-3">
            <input type="hidden" name="is_active" value="false" />
            <input
              type="checkbox"
              id="is_active"
              name="is_active"
              value="true"
              class="form-check-input"
              role="switch"
              ${values.isActive ? html`checked` : ''}
            />
            <label for="is_active" class="form-check-label">Active</label>
          </div>
          <div class="d-flex gap-2">
            <button type="submit" class="btn btn-primary">Update Token</button>
            <a class="btn btn-outline-secondary" href="${context.url(`/tokens/${token.id}`)}">Cancel</a>
          </div>
        </form>
      </div>
    </div>
    <div class="card border-danger">
      <div class="card-body">
        <h2 class="h5 text-danger">Danger Zone</h2>
        ${
          token.is_active
            ? html`<p>Revoking stops the token at once, on every instance.</p>
                ${revokeForm(context, token, {
                  confirm: 'Are you sure you want to revoke this token? This action cannot be undone.',
                  label: 'Revoke Token',
                  buttonClass: 'btn btn-danger',
                  returnToDetails: true,
                  confirmOnButton: true,
                })}`
            : html`<p class="mb-0">This token is revoked.</p>`
        }
      </div>
    </div>`;
}

/** `2025-01-31 14:05:09 UTC`: the edit form's read-only expiry, which the browser leaves in UTC. */
function utcText(value: string): string {
  const iso = new Date(value).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

function errorAlert(error: string | undefined): SafeHtml {
  return html`${error !== undefined && html`<div class="alert alert-danger" role="alert">${error}</div>`}`;
}

/** The `max_requests` input of both token forms: blank means unlimited. */
function maxRequestsField(value: string): SafeHtml {
  return html`<label for="max_requests" class="form-label">Maximum requests</label>
    <input
      type="number"
      id="max_requests"
      name="max_requests"
      class="form-control"
      min="1"
      step="1"
      placeholder="Unlimited"
      value="${value}"
      aria-describedby="max_requests_help"
    />
    <div id="max_requests_help" class="form-text">Leave blank for no limit.</div>`;
}
