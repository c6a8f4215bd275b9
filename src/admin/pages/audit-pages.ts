import type { FastifyInstance } from 'fastify';

import { AUDIT_FILTERS, auditDetailsBody, auditListBody, auditUnavailableNotice } from './audit-views.js';
import type { AuditEventJson, AuditListContent, AuditPageJson, AuditQuery } from './audit-views.js';
import { html } from '../render/html.js';
import { renderPage } from '../render/layout.js';
import { ManagementApiError } from '../api/management-api.js';
import type { AdminContext } from '../render/page-context.js';
import { adminContext } from '../render/page-context.js';
import { pageRequestOf } from '../render/pagination.js';

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;
const UNAVAILABLE = 'audit_unavailable';

/** Registers `GET /audit` (search, filters, pages) and `GET /audit/{id}` (one event). */
export function registerAuditPages(app: FastifyInstance): void {
  app.get('/audit', async (request, reply) => {
    const context = adminContext(request);
    const query = auditQueryOf(request.query);
    const content = await loadAuditPage(
      context,
      query,
      pageRequestOf(request.query, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    );
    return reply
      .code(content.kind === 'invalid' ? 400 : 200)
      .type('text/html; charset=utf-8')
      .send(
        await renderPage(context, {
          title: 'Audit Events',
          icon: 'shield-check',
          section: 'audit',
          body: auditListBody(context, query, content),
        }),
      );
  });

  app.get<{ Params: { id: string } }>('/audit/:id', async (request, reply) => {
    const context = adminContext(request);
    const event = await loadAuditEvent(context, request.params.id);
    const back = html`<a class="btn btn-outline-secondary" href="${context.url('/audit')}"
      ><i class="bi bi-arrow-left" aria-hidden="true"></i> Back to List</a
    >`;
    return reply.type('text/html; charset=utf-8').send(
      await renderPage(context, {
        title: 'Audit Event Details',
        section: 'audit',
        actions: back,
        body: event === undefined ? auditUnavailableNotice() : auditDetailsBody(context, event),
      }),
    );
  });
}

/** The search and filters of a list request; repeated names keep their last value. */
function auditQueryOf(raw: unknown): AuditQuery {
  const params = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const query: AuditQuery = {};
  for (const name of ['search', 'page_size', ...AUDIT_FILTERS.map((filter) => filter.name)] as const) {
    const value = lastString(params[name])?.trim();
    if (value !== undefined && value !== '') query[name] = value;
  }
  return query;
}

/**
 * One call of `/manage/audit` with every filter. A page past the end shows the last one (one more call, only
 * then); the API's 400 for a bad filter and its 503 when audit events are not stored become page content.
 */
async function loadAuditPage(
  context: AdminContext,
  query: AuditQuery,
  pageRequest: { readonly page: number; readonly size: number },
): Promise<AuditListContent> {
  const call = (page: number) =>
    context.api({
      method: 'GET',
      path: '/audit',
      query: { ...query, page, page_size: pageRequest.size },
    }) as Promise<AuditPageJson>;
  try {
    let result = await call(pageRequest.page);
    const last = result.pagination.total_pages;
    if (result.events.length === 0 && last >= 1 && pageRequest.page > last) result = await call(last);
    return { kind: 'events', result };
  } catch (error) {
    if (error instanceof ManagementApiError && error.code === UNAVAILABLE) return { kind: 'unavailable' };
    if (error instanceof ManagementApiError && error.status === 400)
      return { kind: 'invalid', message: error.message };
    throw error;
  }
}

/** One event; undefined when audit events are not stored; a malformed id is as unknown as a missing one. */
async function loadAuditEvent(context: AdminContext, id: string): Promise<AuditEventJson | undefined> {
  try {
    return (await context.api({ method: 'GET', path: `/audit/${encodeURIComponent(id)}` })) as AuditEventJson;
  } catch (error) {
    if (!(error instanceof ManagementApiError)) throw error;
    if (error.code === UNAVAILABLE) return undefined;
    if (error.status === 400)
      throw new ManagementApiError(404, 'audit event not found', 'audit_event_not_found');
    throw error;
  }
}

function lastString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const last: unknown = value[value.length - 1];
    return typeof last === 'string' ? last : undefined;
  }
  return undefined;
}
