import type { FastifyInstance } from 'fastify';

import { count } from '../render/format.js';
import { field, formOf } from '../session/form-body.js';
import type { FormFields } from '../session/form-body.js';
import { html } from '../render/html.js';
import { statCards } from '../render/stat-cards.js';
import type { SafeHtml } from '../render/html.js';
import { csrfField, renderPage } from '../render/layout.js';
import { ManagementApiError } from '../api/management-api.js';
import type { AdminContext } from '../render/page-context.js';
import { adminContext } from '../render/page-context.js';
import { byteSize, loadSystemStatus, percent } from './system-status.js';

/** A project as the purge form lists it. */
interface ProjectChoice {
  readonly id: string;
  readonly name: string;
}

/** Registers `GET /cache` (what the response cache holds, its hit ratio) and `POST /cache/purge`. */
export function registerCachePage(app: FastifyInstance): void {
  app.get('/cache', async (request, reply) => {
    const context = adminContext(request);
    return reply.type('text/html; charset=utf-8').send(await cachePage(context));
  });

  app.post('/cache/purge', async (request, reply) => {
    const context = adminContext(request);
    const form = formOf(request.body);
    const body = purgeBody(form);
    try {
      const answer = (await context.api({ method: 'POST', path: '/cache/purge', body })) as {
        deleted: number;
      };
      await context.setFlash({
        kind: 'success',
        message: `Purged ${count(answer.deleted)} cache ${answer.deleted === 1 ? 'entry' : 'entries'}.`,
      });
      return await reply.redirect(context.url('/cache'), 303);
    } catch (error) {
      if (!(error instanceof ManagementApiError) || error.status >= 500) throw error;
      await context.setFlash({ kind: 'danger', message: error.message });
      return reply
        .code(error.status)
        .type('text/html; charset=utf-8')
        .send(await cachePage(context));
    }
  });
}

/** The management API's purge body for the kind the form chose. */
function purgeBody(form: FormFields): Record<string, unknown> {
  const kind = field(form, 'kind');
  const projectId = field(form, 'project_id') ?? '';
  if (kind === 'all') return { all: true };
  if (kind === 'project') return { project_id: projectId };
  const scope = projectId === '' ? {} : { project_id: projectId };
  if (kind === 'prefix') return { prefix: field(form, 'prefix') ?? '', ...scope };
  return { method: field(form, 'method') ?? 'POST', url: field(form, 'url') ?? '', ...scope };
}

async function cachePage(context: AdminContext): Promise<string> {
  const [system, projects] = await Promise.all([
    loadSystemStatus(context),
    context.api({ method: 'GET', path: '/projects' }) as Promise<ProjectChoice[]>,
  ]);
  const cache = system.cache;
  const body = html`${
      cache.enabled
        ? ''
        : html`<div class="alert alert-info" role="status">
            The response cache is off on this server (HTTP_CACHE_ENABLED=false): nothing is stored and nothing
            can be purged.
          </div>`
    }
    ${statCards(
      [
        ['Entries', count(cache.entries)],
        ['Bytes held', byteSize(cache.bytes)],
        ['Hit ratio', percent(cache.hit_ratio)],
        ['Hits', count(cache.hits)],
        ['Misses', count(cache.misses)],
        ['Bypassed', count(cache.bypass)],
        ['Evictions', count(cache.evictions)],
        ['Store errors', count(cache.store_errors)],
      ],
      'data-cache-stat',
    )}
    <p class="text-muted small">
      Backend: ${cache.backend ?? 'none'}. Counts are this instance's since it started; entries and bytes are
      the store's${cache.backend === 'redis' ? ', shared by every instance' : ''}.
    </p>
    ${cache.enabled ? purgeForms(context, projects) : ''}`;
  return await renderPage(context, { title: 'Cache', section: 'cache', body });
}

function purgeForms(context: AdminContext, projects: readonly ProjectChoice[]): SafeHtml {
  const projectSelect = (id: string, required: boolean) =>
    html`<select class="form-select" id="${id}" name="project_id" ${required ? html` required` : ''}>
      ${required ? '' : html`<option value="">Every project</option>`}
      ${projects.map((project) => html`<option value="${project.id}">${project.name}</option>`)}
    </select>`;
  const action = context.url('/cache/purge');
  return html`<h2 class="h5">Purge</h2>
    <p class="text-muted small">A purge reaches every instance's cache.</p>
    <div class="row g-3">
      <div class="col-lg-6">
        <div class="card h-100">
          <div class="card-body">
            <h3 class="h6">One request</h3>
            <form method="post" action="${action}">
              ${csrfField(context)}<input type="hidden" name="kind" value="exact" />
              <div class="row g-2">
                <div class="col-4">
                  <label class="form-label" for="purge-method">Method</label>
                  <select class="form-select" id="purge-method" name="method">
                    <option>POST</option>
                    <option>GET</option>
                  </select>
                </div>
                <div class="col-8">
                  <label class="form-label" for="purge-url">URL</label>
                  <input
                    class="form-control"
                    id="purge-url"
                    name="url"
                    placeholder="/v1/chat/completions"
                    required
                  />
                </div>
                <div class="col-12">
                  <label class="form-label" for="purge-exact-project">Project</label
                  >${projectSelect('purge-exact-project', false)}
                </div>
              </div>
              <button type="submit" class="btn btn-outline-danger mt-3">Purge Request</button>
            </form>
          </div>
        </div>
      </div>
      <div class="col-lg-6">
        <div class="card h-100">
          <div class="card-body">
            <h3 class="h6">Every URL with a prefix</h3>
            <form method="post" action="${action}">
              ${csrfField(context)}<input type="hidden" name="kind" value="prefix" />
              <label class="form-label" for="purge-prefix">Prefix</label>
              <input
                class="form-control"
                id="purge-prefix"
                name="prefix"
                placeholder="/v1/embeddings"
                required
              />
              <label class="form-label mt-2" for="purge-prefix-project">Project</label
              >${projectSelect('purge-prefix-project', false)}
              <button type="submit" class="btn btn-outline-danger mt-3">Purge Prefix</button>
            </form>
          </div>
        </div>
      </div>
      <div class="col-lg-6">
        <div class="card h-100">
          <div class="card-body">
            <h3 class="h6">Everything of one project</h3>
            <form method="post" action="${action}" data-confirm="Purge every cached answer of this project?">
              ${csrfField(context)}<input type="hidden" name="kind" value="project" />
              <label class="form-label" for="purge-project">Project</label
              >${projectSelect('purge-project', true)}
              <button type="submit" class="btn btn-outline-danger mt-3">Purge Project</button>
            </form>
          </div>
        </div>
      </div>
      <div class="col-lg-6">
        <div class="card h-100">
          <div class="card-body">
            <h3 class="h6">Everything</h3>
            <form
              method="post"
              action="${action}"
              data-confirm="Purge the whole response cache on every instance? This cannot be undone."
            >
              ${csrfField(context)}<input type="hidden" name="kind" value="all" />
              <p class="small text-muted">Every cached answer of every project.</p>
              <button type="submit" class="btn btn-danger">Purge All</button>
            </form>
          </div>
        </div>
      </div>
    </div>`;
}
