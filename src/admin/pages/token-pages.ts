import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { AppError, ERRORS, isWellFormedId } from '../../core/index.js';
import type { ProjectView, TokenCreatedView, TokenView } from '../../manage/index.js';
import { field, formOf } from '../session/form-body.js';
import type { FormFields } from '../session/form-body.js';
import { html } from '../render/html.js';
import type { SafeHtml } from '../render/html.js';
import { renderPage } from '../render/layout.js';
import type { PageContent } from '../render/layout.js';
import { ManagementApiError } from '../api/management-api.js';
import { adminContext } from '../render/page-context.js';
import type { AdminContext } from '../render/page-context.js';
import { pageRequestOf } from '../render/pagination.js';
import { loadUsage, usageRangeOf } from '../render/usage-charts.js';
import { editTokenForm, editTokenValues, newTokenForm, newTokenValues } from './token-forms.js';
import type { NewTokenValues } from './token-forms.js';
import { tokenCreatedBody } from './token-snippets.js';
import { tokenDetailsBody, tokenListBody, tokenListQueryOf } from './token-views.js';
import type { TokenListQuery } from './token-views.js';

const LIST_PAGE_SIZE = 10;
const LIST_MAX_PAGE_SIZE = 100;

type IdRoute = { Params: { id: string } };

/** A form the browser must correct: shown again with this message and status. */
interface FormProblem {
  readonly status: number;
  readonly message: string;
}

/** The body of `PATCH /manage/tokens/{id}` as the edit and reactivate forms fill it. */
interface TokenChanges {
  is_active?: boolean;
  max_requests?: number;
  name?: string | null;
}

/**
 * Registers the token pages: the list (`/tokens`), generating (`/tokens/new`, `POST /tokens`), details
 * (`/tokens/:id`), editing (`/tokens/:id/edit`) and `POST /tokens/:id` with `_method=PUT|DELETE` (also
 * reachable as real PUT and DELETE) for updating and revoking.
 */
export function registerTokenPages(app: FastifyInstance): void {
  app.get('/tokens', async function tokenList(request, reply) {
    const context = adminContext(request);
    const query = tokenListQueryOf(request.query);
    const asked = pageRequestOf(request.query, LIST_PAGE_SIZE, LIST_MAX_PAGE_SIZE);
    const [first, projects] = await Promise.all([
      loadTokenPage(context, query, asked.page, asked.size),
      loadProjects(context),
    ]);
    // A page past the end (a stale link) shows the last one, as the other lists do.
    const pages = Math.max(Math.ceil(first.total / asked.size), 1);
    const shown = asked.page > pages ? await loadTokenPage(context, query, pages, asked.size) : first;
    const listed = {
      items: shown.tokens,
      page: Math.min(asked.page, pages),
      size: asked.size,
      total: shown.total,
      pages,
    };
    return sendPage(reply, context, {
      title: 'Tokens',
      body: tokenListBody(context, listed, projects, query),
      actions: generateLink(context, query.projectId),
    });
  });

  app.get('/tokens/new', async function newToken(request, reply) {
    const context = adminContext(request);
    const asked = (request.query as Record<string, unknown> | undefined)?.project_id;
    const values = newTokenValues(typeof asked === 'string' ? asked : undefined);
    return sendPage(reply, context, {
      title: 'Generate Token',
      body: newTokenForm(context, await loadProjects(context), values),
    });
  });

  app.post('/tokens', async function createToken(request, reply) {
    const context = adminContext(request);
    const values = newValuesOf(formOf(request.body));
    const showForm = async (problem: FormProblem) =>
      sendPage(
        reply,
        context,
        {
          title: 'Generate Token',
          body: newTokenForm(context, await loadProjects(context), values, problem.message),
        },
        problem.status,
      );
    const body = createBodyOf(values);
    if ('problem' in body) return showForm(body.problem);
    const outcome = await attempt(() => context.api({ method: 'POST', path: '/tokens', body }));
    if ('problem' in outcome) return showForm(outcome.problem);
    const project = { id: body.project_id, name: await projectNameOf(context, body.project_id) };
    // Answered, not redirected: the secret must not land in a URL or the history.
    return sendPage(reply, context, {
      title: 'Token Created Successfully',
      body: tokenCreatedBody(context, outcome.done as TokenCreatedView, project),
    });
  });

  app.get<IdRoute>('/tokens/:id', async function tokenDetails(request, reply) {
    const context = adminContext(request);
    const id = tokenIdOf(request);
    const range = usageRangeOf(request.query);
    // The usage rows name a token by its record id, the same id as the page's; naming its project too lets
    // the database read only that project's rows (usage is indexed by project and hour).
    const token = await loadToken(context, id);
    const [usage, projectName] = await Promise.all([
      loadUsage(context, range, { project_id: token.project_id, token_id: id }),
      projectNameOf(context, token.project_id),
    ]);
    return sendPage(reply, context, {
      title: 'Token Details',
      body: tokenDetailsBody(context, token, projectName, usage, range),
      actions: detailsActions(context, token),
      charts: true,
    });
  });

  app.get<IdRoute>('/tokens/:id/edit', async function editToken(request, reply) {
    const context = adminContext(request);
    const token = await loadToken(context, tokenIdOf(request));
    const projectName = await projectNameOf(context, token.project_id);
    return sendPage(reply, context, {
      title: 'Edit Token',
      body: editTokenForm(context, token, projectName, editTokenValues(token)),
    });
  });

  app.post<IdRoute>('/tokens/:id', function changeToken(request, reply) {
    const method = field(formOf(request.body), '_method')?.toUpperCase();
    if (method === 'PUT' || method === 'PATCH') return updateToken(request, reply);
    if (method === 'DELETE') return revokeToken(request, reply);
    throw new AppError(ERRORS.VALIDATION_FAILED, { message: '_method must be PUT or DELETE' });
  });
  app.put<IdRoute>('/tokens/:id', updateToken);
  app.delete<IdRoute>('/tokens/:id', revokeToken);
}

async function updateToken(request: FastifyRequest<IdRoute>, reply: FastifyReply): Promise<FastifyReply> {
  const context = adminContext(request);
  const id = tokenIdOf(request);
  const form = formOf(request.body);
  const changes = changesOf(form);
  const outcome =
    'problem' in changes
      ? changes
      : await attempt(() => context.api({ method: 'PATCH', path: `/tokens/${id}`, body: changes }));
  if ('done' in outcome) {
    const reactivated =
      form.is_active === 'true' && form.max_requests === undefined && form.name === undefined;
    await context.setFlash({ kind: 'success', message: reactivated ? 'Token reactivated' : 'Token updated' });
    return reply.redirect(context.url(`/tokens/${id}`), 303);
  }
  const problem = outcome.problem;
  const token = await loadToken(context, id);
  const current = editTokenValues(token);
  const typed = {
    maxRequests: field(form, 'max_requests') ?? current.maxRequests,
    isActive: form.is_active === undefined ? current.isActive : form.is_active === 'true',
    name: field(form, 'name') ?? current.name,
  };
  const projectName = await projectNameOf(context, token.project_id);
  return sendPage(
    reply,
    context,
    { title: 'Edit Token', body: editTokenForm(context, token, projectName, typed, problem.message) },
    problem.status,
  );
}

async function revokeToken(request: FastifyRequest<IdRoute>, reply: FastifyReply): Promise<FastifyReply> {
  const context = adminContext(request);
  const id = tokenIdOf(request);
  await context.api({ method: 'DELETE', path: `/tokens/${id}` });
  await context.setFlash({ kind: 'success', message: 'Token revoked' });
  const backToDetails = field(formOf(request.body), 'return_to') === 'details';
  return reply.redirect(context.url(backToDetails ? `/tokens/${id}` : '/tokens'), 303);
}

async function sendPage(
  reply: FastifyReply,
  context: AdminContext,
  content: Omit<PageContent, 'section'>,
  status = 200,
): Promise<FastifyReply> {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(await renderPage(context, { ...content, section: 'tokens' }));
}

/** A malformed id names no token: the same 404 page as an unknown one, without asking the API. */
function tokenIdOf(request: FastifyRequest<IdRoute>): string {
  const { id } = request.params;
  if (!isWellFormedId(id)) throw new AppError(ERRORS.TOKEN_RECORD_NOT_FOUND);
  return id;
}

async function loadToken(context: AdminContext, id: string): Promise<TokenView> {
  return (await context.api({ method: 'GET', path: `/tokens/${id}` })) as TokenView;
}

/** Every project, by name, for the filters and the project choice. */
async function loadProjects(context: AdminContext): Promise<ProjectView[]> {
  const projects = (await context.api({ method: 'GET', path: '/projects' })) as ProjectView[];
  return [...projects].sort((a, b) => a.name.localeCompare(b.name));
}

/** The project's name, or its id when the project cannot be read (a page that shows a secret must not fail). */
async function projectNameOf(context: AdminContext, projectId: string): Promise<string> {
  try {
    return ((await context.api({ method: 'GET', path: `/projects/${projectId}` })) as ProjectView).name;
  } catch (error) {
    if (error instanceof ManagementApiError) return projectId;
    throw error;
  }
}

function generateLink(context: AdminContext, projectId: string | undefined) {
  return html`<a class="btn btn-primary" href="${context.url('/tokens/new', { project_id: projectId })}"
    ><i class="bi bi-plus-lg" aria-hidden="true"></i> Generate Token</a
  >`;
}

function detailsActions(context: AdminContext, token: TokenView): SafeHtml {
  return html`<a class="btn btn-outline-primary" href="${context.url(`/tokens/${token.id}/edit`)}"
      >Edit Token</a
    >
    <a class="btn btn-outline-secondary" href="${context.url('/tokens')}">Back to Tokens</a>`;
}

function newValuesOf(form: FormFields): NewTokenValues {
  return {
    projectId: field(form, 'project_id') || undefined,
    durationMinutes: field(form, 'duration_minutes') ?? '',
    maxRequests: field(form, 'max_requests') ?? '',
    name: field(form, 'name') ?? '',
  };
}

/**
 * The body of `POST /manage/tokens`: the API judges every value (required fields, ranges, the project being
 * active); only what cannot be sent as a number is refused here. A blank limit means unlimited.
 */
function createBodyOf(
  values: NewTokenValues,
):
  | { project_id: string; duration_minutes?: number; max_requests?: number; name?: string }
  | { problem: FormProblem } {
  const duration = wholeNumberOf(values.durationMinutes);
  if (duration === 'invalid') return invalid('duration_minutes must be a whole number of minutes');
  const maxRequests = wholeNumberOf(values.maxRequests);
  if (maxRequests === 'invalid')
    return invalid('max_requests must be a whole number, or blank for unlimited');
  return {
    project_id: values.projectId ?? '',
    ...(duration !== undefined && { duration_minutes: duration }),
    ...(maxRequests !== undefined && { max_requests: maxRequests }),
    ...(values.name !== '' && { name: values.name }),
  };
}

/**
 * The changes a form asks for, of the fields it has: the edit form sends them all, the reactivate button
 * only `is_active`. A blank limit is sent as 0, which the API stores as unlimited; a blank name removes it.
 */
function changesOf(form: FormFields): TokenChanges | { problem: FormProblem } {
  const changes: TokenChanges = {};
  if (form.is_active !== undefined) changes.is_active = form.is_active === 'true';
  const maxRequests = field(form, 'max_requests');
  if (maxRequests !== undefined) {
    const limit = maxRequests === '' ? 0 : wholeNumberOf(maxRequests);
    if (limit === 'invalid' || limit === undefined) {
      return invalid('max_requests must be a whole number, or blank for unlimited');
    }
    changes.max_requests = limit;
  }
  const name = field(form, 'name');
  if (name !== undefined) changes.name = name === '' ? null : name;
  return changes;
}

/** Runs a form's API call; a refusal (a 4xx) becomes the problem to show with the form, anything else throws. */
async function attempt(call: () => Promise<unknown>): Promise<{ done: unknown } | { problem: FormProblem }> {
  try {
    return { done: await call() };
  } catch (error) {
    if (
      error instanceof ManagementApiError &&
      error.status >= 400 &&
      error.status < 500 &&
      error.status !== 401
    ) {
      return { problem: { status: error.status, message: error.message } };
    }
    throw error;
  }
}

function invalid(message: string): { problem: FormProblem } {
  return { problem: { status: 400, message } };
}

/** A whole number typed in a field (negative ones too, for the API to refuse); blank is undefined. */
function wholeNumberOf(text: string): number | undefined | 'invalid' {
  if (text === '') return undefined;
  return /^-?\d{1,12}$/.test(text) ? Number(text) : 'invalid';
}

/** One page of the token list, filtered and sorted by the API (the list may hold tens of thousands). */
async function loadTokenPage(
  context: AdminContext,
  query: TokenListQuery,
  page: number,
  size: number,
): Promise<{ tokens: TokenView[]; total: number }> {
  const answer = await context.apiResponse({
    method: 'GET',
    path: '/tokens',
    query: {
      project_id: query.projectId,
      status: query.status,
      sort: query.sort,
      order: query.sort === undefined ? undefined : query.order,
      page,
      page_size: size,
    },
  });
  const tokens = answer.body as TokenView[];
  const total = Number(answer.headers['x-total-count']);
  return { tokens, total: Number.isInteger(total) ? total : tokens.length };
}
