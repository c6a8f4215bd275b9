import type { FastifyInstance } from 'fastify';

import { AppError, ERRORS } from '../core/index.js';
import { requireWellFormedId } from './ids.js';
import { auditStateOf } from './request-context.js';
import { AUDIT_ACTIONS } from './route-config.js';
import type { ManagementRouteDeps } from './route-deps.js';
import { AuditEventView, AuditListQuery, AuditPageView, IdParams, errorResponses } from './schemas.js';
import { auditEventView } from './views.js';

const TAGS = ['audit'];

/** Registers `/audit` and `/audit/{id}`; both answer 503 when audit events are not kept in the database. */
export function registerAuditRoutes(app: FastifyInstance, deps: ManagementRouteDeps): void {
  const { auditQuery, audit: recorder, auditQueryEnabled } = deps;

  const requireAuditStore = async (): Promise<void> => {
    if (!auditQueryEnabled) throw new AppError(ERRORS.AUDIT_UNAVAILABLE);
    // Read-your-writes: events of calls already answered are in the database before we search it.
    await recorder.flush();
  };

  app.get<{ Querystring: AuditListQuery }>(
    '/audit',
    {
      schema: {
        tags: TAGS,
        summary: 'Search audit events, newest first',
        querystring: AuditListQuery,
        response: { 200: AuditPageView, ...errorResponses(400, 401, 503) },
      },
      config: { auditAction: AUDIT_ACTIONS.auditList },
    },
    async (request) => {
      await requireAuditStore();
      const { query } = request;
      const result = await auditQuery.list({
        action: query.action,
        actor: query.actor,
        clientIp: query.client_ip,
        projectId: query.project_id,
        outcome: query.outcome,
        requestId: query.request_id,
        correlationId: query.correlation_id,
        method: query.method,
        path: query.path,
        search: query.search,
        startTime: query.start_time,
        endTime: query.end_time,
        page: query.page,
        pageSize: query.page_size,
      });
      Object.assign(auditStateOf(request).details, {
        events_count: result.events.length,
        page: result.page,
        page_size: result.pageSize,
        total_count: result.totalCount,
      });
      return {
        events: result.events.map(auditEventView),
        pagination: {
          page: result.page,
          page_size: result.pageSize,
          total_count: result.totalCount,
          total_pages: result.totalPages,
          has_next: result.page < result.totalPages,
          has_prev: result.page > 1,
        },
      };
    },
  );

  app.get<{ Params: IdParams }>(
    '/audit/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Read one audit event',
        params: IdParams,
        response: { 200: AuditEventView, ...errorResponses(400, 401, 404, 503) },
      },
      config: { auditAction: AUDIT_ACTIONS.auditShow },
    },
    async (request) => {
      const id = requireWellFormedId(request.params.id, ERRORS.INVALID_AUDIT_EVENT_ID);
      auditStateOf(request).details.audit_event_id = id;
      await requireAuditStore();
      return auditEventView(await auditQuery.get(id));
    },
  );
}
