import type { FastifyInstance, FastifyReply } from 'fastify';

import { AppError, ERRORS } from '../../core/index.js';
import type { BulkRevokeView, ProjectView } from '../../manage/index.js';
import { field, formOf } from '../session/form-body.js';
import { html } from '../render/html.js';
import { renderPage } from '../render/layout.js';
import type { PageContent } from '../render/layout.js';
import { ManagementApiError } from '../api/management-api.js';
import { adminContext } from '../render/page-context.js';
import type { AdminContext } from '../render/page-context.js';
import { pageRequestOf, paginate } from '../render/pagination.js';
import {
  EMPTY_PROJECT_FORM,
  projectForm,
  projectFormValues,
  readCreateForm,
  readEditForm,
  withoutSecret,
} from './project-forms.js';
import type { ProjectFormMode, ProjectFormValues } from './project-forms.js';
import {
  PROJECTS_PER_PAGE,
  projectDetailsBody,
  projectListBody,
  projectListQueryOf,
  selectProjects,
} from './project-views.js';
import { loadUsage, rangePicker, usageCharts, usageRangeOf } from '../render/usage-charts.js';

const MAX_PROJECTS_PER_PAGE = 100;

interface IdParams {
  id: string;
}

/**
 * Registers the Projects pages: the list, create, details with usage, edit (`_method=PUT`), the refused delete
 * (`_method=DELETE`), activation and bulk token revocation.
 */
export function registerProjectPages(app: FastifyInstance): void {
  app.get('/projects', async function projectList(request, reply) {
    const context = adminContext(request);
    const listQuery = projectListQueryOf(request.query);
    const projects = (await context.api({ method: 'GET', path: '/projects' })) as ProjectView[];
    const page = paginate(
      selectProjects(projects, listQuery),
      pageRequestOf(request.query, PROJECTS_PER_PAGE, MAX_PROJECTS_PER_PAGE),
    );
    return sendPage(reply, context, {
      title: 'Projects',
      section: 'projects',
      actions: html`<a class="btn btn-primary" href="${context.url('/projects/new')}"
        ><i class="bi bi-plus-lg" aria-hidden="true"></i> Create Project</a
      >`,
      body: projectListBody(context, { listQuery, page, totalProjects: projects.length }),
    });
  });

  app.get('/projects/new', function newProjectForm(request, reply) {
    return sendForm(reply, adminContext(request), { kind: 'create' }, EMPTY_PROJECT_FORM);
  });

  app.post('/projects', async function createProject(request, reply) {
    const context = adminContext(request);
    const reading = readCreateForm(formOf(request.body));
    const mode = { kind: 'create' } as const;
    if (!reading.ok) return sendForm(reply, context, mode, reading.values, reading.problem, 400);
    let created: ProjectView;
    try {
      created = (await context.api({ method: 'POST', path: '/projects', body: reading.body })) as ProjectView;
    } catch (error) {
      if (!isFormProblem(error)) throw error;
      return sendForm(
        reply,
        context,
        mode,
        reading.values,
        withoutSecret(error.message, reading.apiKey),
        error.status,
      );
    }
    await context.setFlash({ kind: 'success', message: 'Project created' });
    return reply.redirect(context.url(`/projects/${created.id}`), 303);
  });

  app.get<{ Params: IdParams }>('/projects/:id', async function projectDetails(request, reply) {
    const context = adminContext(request);
    const project = await loadProject(context, request.params.id);
    const range = usageRangeOf(request.query);
    const report = await loadUsage(context, range, { project_id: project.id });
    const usage = html`<section aria-labelledby="usage-heading">
      <div class="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-3">
        <h2 class="h5 mb-0" id="usage-heading">Usage</h2>
        ${rangePicker(context, `/projects/${project.id}`, range)}
      </div>
      ${usageCharts(report, range, 'project')}
    </section>`;
    return sendPage(reply, context, {
      title: project.name,
      section: 'projects',
      charts: true,
      actions: html`<a class="btn btn-outline-secondary" href="${context.url('/projects')}">All Projects</a>`,
      body: projectDetailsBody(context, project, usage),
    });
  });

  app.get<{ Params: IdParams }>('/projects/:id/edit', async function editProjectForm(request, reply) {
    const context = adminContext(request);
    const project = await loadProject(context, request.params.id);
    return sendForm(reply, context, { kind: 'edit', project }, projectFormValues(project));
  });

  // HTML forms only post: `_method` says whether the form updates the project or asks to delete it.
  app.post<{ Params: IdParams }>('/projects/:id', async function changeProject(request, reply) {
    const context = adminContext(request);
    const form = formOf(request.body);
    const method = field(form, '_method')?.toUpperCase();
    if (method === 'DELETE') return deleteProject(context, reply, request.params.id);
    if (method !== 'PUT')
      throw new AppError(ERRORS.BAD_REQUEST, { message: '_method must be PUT or DELETE' });
    const current = await loadProject(context, request.params.id);
    const mode = { kind: 'edit', project: current } as const;
    const reading = readEditForm(form, current);
    if (!reading.ok) return sendForm(reply, context, mode, reading.values, reading.problem, 400);
    if (Object.keys(reading.body).length === 0) {
      await context.setFlash({ kind: 'info', message: 'Nothing changed' });
      return reply.redirect(context.url(`/projects/${current.id}`), 303);
    }
    try {
      await context.api({ method: 'PATCH', path: apiPath(current.id), body: reading.body });
    } catch (error) {
      if (!isFormProblem(error)) throw error;
      return sendForm(
        reply,
        context,
        mode,
        reading.values,
        withoutSecret(error.message, reading.apiKey),
        error.status,
      );
    }
    await context.setFlash({ kind: 'success', message: 'Project updated' });
    return reply.redirect(context.url(`/projects/${current.id}`), 303);
  });

  app.post<{ Params: IdParams }>('/projects/:id/status', async function setProjectActive(request, reply) {
    const context = adminContext(request);
    const form = formOf(request.body);
    const active = field(form, 'is_active');
    if (active !== 'true' && active !== 'false') {
      throw new AppError(ERRORS.BAD_REQUEST, { message: 'is_active must be true or false' });
    }
    const revokeTokens = active === 'false' && field(form, 'revoke_tokens') === 'true';
    const project = (await context.api({
      method: 'PATCH',
      path: apiPath(request.params.id),
      body: { is_active: active === 'true', ...(revokeTokens && { revoke_tokens: true }) },
    })) as ProjectView;
    const message = project.is_active
      ? 'Project activated'
      : revokeTokens
        ? 'Project deactivated and all its tokens revoked'
        : 'Project deactivated';
    await context.setFlash({ kind: 'success', message });
    return reply.redirect(context.url(`/projects/${project.id}`), 303);
  });

  app.post<{ Params: IdParams }>(
    '/projects/:id/revoke-tokens',
    async function revokeAllTokens(request, reply) {
      const context = adminContext(request);
      const id = request.params.id;
      const result = (await context.api({
        method: 'POST',
        path: apiPath(id, '/tokens/revoke'),
      })) as BulkRevokeView;
      await context.setFlash({ kind: 'success', message: revokedMessage(result) });
      const backToList = field(formOf(request.body), 'return_to') === 'list';
      return reply.redirect(context.url(backToList ? '/projects' : `/projects/${id}`), 303);
    },
  );
}

/** Projects are never deleted: the API's refusal (405) comes back as a notice on the project's page. */
async function deleteProject(context: AdminContext, reply: FastifyReply, id: string): Promise<FastifyReply> {
  try {
    await context.api({ method: 'DELETE', path: apiPath(id) });
  } catch (error) {
    if (!(error instanceof ManagementApiError) || error.status !== 405) throw error;
    await context.setFlash({
      kind: 'danger',
      message: `Projects cannot be deleted (${error.message}): deactivate the project instead.`,
    });
    return reply.redirect(context.url(`/projects/${id}`), 303);
  }
  await context.setFlash({ kind: 'success', message: 'Project deleted' });
  return reply.redirect(context.url('/projects'), 303);
}

async function loadProject(context: AdminContext, id: string): Promise<ProjectView> {
  return (await context.api({ method: 'GET', path: apiPath(id) })) as ProjectView;
}

/** The API path of a project; the id from the URL is encoded so that it can only ever name one project. */
function apiPath(id: string, rest = ''): string {
  return `/projects/${encodeURIComponent(id)}${rest}`;
}

/** API answers a form can be corrected for (validation, a taken name); anything else is an error page. */
function isFormProblem(error: unknown): error is ManagementApiError {
  return error instanceof ManagementApiError && (error.status === 400 || error.status === 409);
}

function revokedMessage(result: BulkRevokeView): string {
  const revoked = result.revoked_count;
  const already = result.already_revoked_count;
  return `Revoked ${String(revoked)} ${revoked === 1 ? 'token' : 'tokens'} (${String(already)} ${already === 1 ? 'was' : 'were'} already revoked)`;
}

async function sendForm(
  reply: FastifyReply,
  context: AdminContext,
  mode: ProjectFormMode,
  values: ProjectFormValues,
  error?: string,
  status = 200,
): Promise<FastifyReply> {
  const editing = mode.kind === 'edit' ? mode.project : undefined;
  return sendPage(
    reply,
    context,
    {
      title: editing === undefined ? 'Create Project' : 'Edit Project',
      section: 'projects',
      actions:
        editing === undefined
          ? undefined
          : html`<a class="btn btn-outline-secondary" href="${context.url(`/projects/${editing.id}`)}"
              >Back to ${editing.name}</a
            >`,
      body: projectForm(context, mode, values, error),
    },
    status,
  );
}

async function sendPage(
  reply: FastifyReply,
  context: AdminContext,
  content: PageContent,
  status = 200,
): Promise<FastifyReply> {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(await renderPage(context, content));
}
