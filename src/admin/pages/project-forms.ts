import type { ProjectView } from '../../manage/index.js';
import { field } from '../session/form-body.js';
import type { FormFields } from '../session/form-body.js';
import { html } from '../render/html.js';
import type { SafeHtml } from '../render/html.js';
import { csrfField } from '../render/layout.js';
import type { AdminContext } from '../render/page-context.js';

/** The server-side check of the fields the browser already marks `required`. */
const MISSING_FIELDS_MESSAGE = 'Please fill in all required fields';

const TTL_MESSAGE = 'Cache TTL must be a whole number of seconds, or blank to turn POST caching off';

/** What a project form shows in its fields; never the API key, which is not rendered back into a page. */
export interface ProjectFormValues {
  readonly name: string;
  readonly provider: string;
  readonly cachePostTtlSeconds: string;
  readonly isActive: boolean;
}

/** A form read for the API: the body to send, or the problem to show with the typed values. */
export type ProjectFormReading<Body> =
  | { readonly ok: true; readonly values: ProjectFormValues; readonly body: Body; readonly apiKey: string }
  | { readonly ok: false; readonly values: ProjectFormValues; readonly problem: string };

/** The body of `POST /manage/projects` as the create form builds it. */
export interface CreateProjectRequest {
  name: string;
  api_key: string;
  provider?: string;
  cache_post_ttl_seconds?: number;
}

/** The body of `PATCH /manage/projects/{id}`: only the fields the form changed. */
export interface ProjectChangesRequest {
  name?: string;
  api_key?: string;
  provider?: string | null;
  cache_post_ttl_seconds?: number | null;
  is_active?: boolean;
}

/** Which form is shown: a new project, or the edit form of an existing one. */
export type ProjectFormMode =
  { readonly kind: 'create' } | { readonly kind: 'edit'; readonly project: ProjectView };

/** The fields of an empty create form. */
export const EMPTY_PROJECT_FORM: ProjectFormValues = {
  name: '',
  provider: '',
  cachePostTtlSeconds: '',
  isActive: true,
};

/** The edit form's fields filled from the stored project. */
export function projectFormValues(project: ProjectView): ProjectFormValues {
  return {
    name: project.name,
    provider: project.provider ?? '',
    cachePostTtlSeconds:
      project.cache_post_ttl_seconds === null ? '' : String(project.cache_post_ttl_seconds),
    isActive: project.is_active,
  };
}

/** Reads the create form: name and key are required, a blank provider or TTL is left to the API's default. */
export function readCreateForm(form: FormFields): ProjectFormReading<CreateProjectRequest> {
  const values = typedValues(form, true);
  const apiKey = field(form, 'api_key') ?? '';
  if (values.name === '' || apiKey === '') return { ok: false, values, problem: MISSING_FIELDS_MESSAGE };
  const ttl = ttlOf(values.cachePostTtlSeconds);
  if (ttl === 'invalid') return { ok: false, values, problem: TTL_MESSAGE };
  const body: CreateProjectRequest = { name: values.name, api_key: apiKey };
  if (values.provider !== '') body.provider = values.provider;
  if (ttl !== null) body.cache_post_ttl_seconds = ttl;
  return { ok: true, values, body, apiKey };
}

/**
 * Reads the edit form against the stored project: a blank key keeps the key, a blank provider returns to the
 * default provider, a blank TTL turns POST caching off; only what differs from the stored project is sent.
 */
export function readEditForm(
  form: FormFields,
  current: ProjectView,
): ProjectFormReading<ProjectChangesRequest> {
  const sentActive = form.is_active;
  const values = typedValues(form, sentActive === undefined ? current.is_active : sentActive === 'true');
  const apiKey = field(form, 'api_key') ?? '';
  if (values.name === '') return { ok: false, values, problem: MISSING_FIELDS_MESSAGE };
  const ttl = ttlOf(values.cachePostTtlSeconds);
  if (ttl === 'invalid') return { ok: false, values, problem: TTL_MESSAGE };
  const provider = values.provider === '' ? null : values.provider;
  const body: ProjectChangesRequest = {};
  if (values.name !== current.name) body.name = values.name;
  if (apiKey !== '') body.api_key = apiKey;
  if (provider !== current.provider) body.provider = provider;
  if (ttl !== current.cache_post_ttl_seconds) body.cache_post_ttl_seconds = ttl;
  if (values.isActive !== current.is_active) body.is_active = values.isActive;
  return { ok: true, values, body, apiKey };
}

/** An API message made safe to show next to the form: the typed key never reaches the page, even if echoed. */
export function withoutSecret(message: string, apiKey: string): string {
  return apiKey === '' ? message : message.split(apiKey).join('[redacted]');
}

/** The create or edit form, with an error above it when a submission failed. */
export function projectForm(
  context: AdminContext,
  mode: ProjectFormMode,
  values: ProjectFormValues,
  error?: string,
): SafeHtml {
  const editing = mode.kind === 'edit' ? mode.project : undefined;
  const action = context.url(editing === undefined ? '/projects' : `/projects/${editing.id}`);
  const cancel = context.url(editing === undefined ? '/projects' : `/projects/${editing.id}`);
  return html`<div class="row">
    <div class="col-lg-8 col-xl-6">
      ${error === undefined ? '' : html`<div class="alert alert-danger" role="alert">${error}</div>`}
      <div class="card">
        <div class="card-body">
          <form method="post" action="${action}">
            ${csrfField(context)}
            ${editing === undefined ? '' : html`<input type="hidden" name="_method" value="PUT" />`}
            <div class="mb-3">
              <label for="name" class="form-label">Project Name</label>
              <input
                type="text"
                class="form-control"
                id="name"
                name="name"
                maxlength="200"
                required
                value="${values.name}"
              />
            </div>
            <div class="mb-3">
              <label for="api_key" class="form-label">Provider API Key</label>
              <input
                type="password"
                class="form-control"
                id="api_key"
                name="api_key"
                maxlength="4096"
                autocomplete="off"
                aria-describedby="api_key_help"
                ${editing === undefined ? html`required` : html`placeholder="Leave blank to keep the current key"`}
              />
              <div id="api_key_help" class="form-text">
                ${
                  editing === undefined
                    ? 'The upstream key requests of this project are sent with. It is stored and never shown again.'
                    : html`Current key: <code>${editing.api_key}</code>. Leave blank to keep it.`
                }
              </div>
            </div>
            <div class="row g-3 mb-3">
              <div class="col-sm-6">
                <label for="provider" class="form-label">Provider</label>
                <input
                  type="text"
                  class="form-control"
                  id="provider"
                  name="provider"
                  maxlength="64"
                  placeholder="default"
                  aria-describedby="provider_help"
                  value="${values.provider}"
                />
                <div id="provider_help" class="form-text">Blank uses the server's default provider.</div>
              </div>
              <div class="col-sm-6">
                <label for="cache_post_ttl_seconds" class="form-label">POST cache TTL (seconds)</label>
                <input
                  type="number"
                  class="form-control"
                  id="cache_post_ttl_seconds"
                  name="cache_post_ttl_seconds"
                  min="1"
                  max="31536000"
                  step="1"
                  placeholder="Off"
                  aria-describedby="ttl_help"
                  value="${values.cachePostTtlSeconds}"
                />
                <div id="ttl_help" class="form-text">
                  Blank: POST answers are cached only when a client asks.
                </div>
              </div>
            </div>
            ${
              editing === undefined
                ? ''
                : html`<div class="mb-3">
                    <input type="hidden" name="is_active" value="false" />
                    <div class="form-check form-switch">
                      <input
                        class="form-check-input"
                        type="checkbox"
                        role="switch"
                        id="is_active"
                        name="is_active"
                        value="true"
                        ${values.isActive ? html`checked` : ''}
                      />
                      <label class="form-check-label" for="is_active">Active</label>
                    </div>
                    <div class="form-text">Tokens of an inactive project are refused.</div>
                  </div>`
            }
            <div class="d-flex flex-wrap gap-2">
              <button type="submit" class="btn btn-primary">
                ${editing === undefined ? 'Create Project' : 'Update Project'}
              </button>
              <a class="btn btn-outline-secondary" href="${cancel}">Cancel</a>
            </div>
          </form>
        </div>
      </div>
    </div>
  </div>`;
}

function typedValues(form: FormFields, isActive: boolean): ProjectFormValues {
  return {
    name: field(form, 'name') ?? '',
    provider: field(form, 'provider') ?? '',
    cachePostTtlSeconds: field(form, 'cache_post_ttl_seconds') ?? '',
    isActive,
  };
}

/** Blank is off; a whole number goes to the API, which owns the range (it refuses 0 rather than reading "off"). */
function ttlOf(text: string): number | null | 'invalid' {
  if (text === '') return null;
  return /^\d{1,9}$/.test(text) ? Number(text) : 'invalid';
}
