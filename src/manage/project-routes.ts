import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';

import { AppError, ERRORS } from '../core/index.js';
import { requireProjectId } from './ids.js';
import { auditStateOf } from './request-context.js';
import { AUDIT_ACTIONS } from './route-config.js';
import type { ManagementRouteDeps } from './route-deps.js';
import {
  BulkRevokeView,
  CreateProjectBody,
  IdParams,
  ProjectView,
  UpdateProjectBody,
  errorResponses,
} from './schemas.js';
import { bulkRevokeView, projectView } from './views.js';

const TAGS = ['projects'];

/** Registers `/projects` and `/projects/{id}` (list, create, read, update, 405 on delete, bulk revoke). */
export function registerProjectRoutes(app: FastifyInstance, deps: ManagementRouteDeps): void {
  const { projects } = deps;

  app.get(
    '/projects',
    {
      schema: {
        tags: TAGS,
        summary: 'List every project, ordered by name',
        response: { 200: Type.Array(ProjectView), ...errorResponses(401) },
      },
      config: { auditAction: AUDIT_ACTIONS.projectList },
    },
    async (request) => {
      const list = await projects.list();
      auditStateOf(request).details.project_count = list.length;
      return list.map(projectView);
    },
  );

  app.post<{ Body: CreateProjectBody }>(
    '/projects',
    {
      schema: {
        tags: TAGS,
        summary: 'Create a project',
        body: CreateProjectBody,
        response: { 201: ProjectView, ...errorResponses(400, 401, 409, 413, 415) },
      },
      config: { auditAction: AUDIT_ACTIONS.projectCreate },
    },
    async (request, reply) => {
      const audit = auditStateOf(request);
      audit.details.project_name = request.body.name;
      const cachePostTtlSeconds = request.body.cache_post_ttl_seconds;
      if (cachePostTtlSeconds !== undefined) audit.details.cache_post_ttl_seconds = cachePostTtlSeconds;
      const project = await projects.create({
        name: request.body.name,
        apiKey: request.body.api_key,
        provider: request.body.provider,
        cachePostTtlSeconds,
      });
      audit.projectId = project.id;
      return reply.code(201).send(projectView(project));
    },
  );

  app.get<{ Params: IdParams }>(
    '/projects/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Read one project',
        params: IdParams,
        response: { 200: ProjectView, ...errorResponses(400, 401, 404) },
      },
      config: { auditAction: AUDIT_ACTIONS.projectRead },
    },
    async (request) => {
      const id = projectIdOf(request);
      const project = await projects.get(id);
      auditStateOf(request).details.project_name = project.name;
      return projectView(project);
    },
  );

  app.patch<{ Params: IdParams; Body: UpdateProjectBody }>(
    '/projects/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Update a project; deactivating it can also revoke all of its tokens',
        params: IdParams,
        body: UpdateProjectBody,
        response: { 200: ProjectView, ...errorResponses(400, 401, 404, 409, 413, 415) },
      },
      config: { auditAction: AUDIT_ACTIONS.projectUpdate },
    },
    async (request) => {
      const id = projectIdOf(request);
      const { body } = request;
      const result = await projects.update(id, {
        name: body.name,
        apiKey: body.api_key,
        provider: body.provider,
        cachePostTtlSeconds: body.cache_post_ttl_seconds,
        isActive: body.is_active,
        revokeTokens: body.revoke_tokens,
      });
      const details = auditStateOf(request).details;
      details.project_name = result.project.name;
      details.updated_fields = result.updatedFields;
      if (result.updatedFields.includes('cache_post_ttl_seconds')) {
        details.cache_post_ttl_seconds = result.project.cachePostTtlSeconds;
      }
      if (result.tokensRevoked !== undefined) details.tokens_revoked = result.tokensRevoked;
      return projectView(result.project);
    },
  );

  app.delete<{ Params: IdParams }>(
    '/projects/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Always refused: projects are deactivated, never deleted',
        params: IdParams,
        response: errorResponses(401, 405),
      },
      config: { auditAction: AUDIT_ACTIONS.projectDelete },
    },
    (request) => {
      const audit = auditStateOf(request);
      audit.projectId = projectIdOrUndefined(request.params.id);
      audit.details.error_type = 'method not allowed';
      audit.reason = ERRORS.PROJECT_DELETE_NOT_ALLOWED.message;
      throw new AppError(ERRORS.PROJECT_DELETE_NOT_ALLOWED, {
        message: ERRORS.METHOD_NOT_ALLOWED.message,
        details: { message: ERRORS.PROJECT_DELETE_NOT_ALLOWED.message },
        headers: { Allow: 'GET, PATCH' },
      });
    },
  );

  app.post<{ Params: IdParams }>(
    '/projects/:id/tokens/revoke',
    {
      schema: {
        tags: TAGS,
        summary: 'Revoke every active token of a project (idempotent)',
        params: IdParams,
        response: { 200: BulkRevokeView, ...errorResponses(400, 401, 404) },
      },
      config: { auditAction: AUDIT_ACTIONS.tokenRevokeBatch },
    },
    async (request) => {
      const id = projectIdOf(request);
      const result = await projects.revokeTokens(id);
      Object.assign(auditStateOf(request).details, {
        total_tokens: result.total,
        revoked_count: result.revoked,
        already_revoked_count: result.alreadyRevoked,
        failed_count: 0,
      });
      return bulkRevokeView(result);
    },
  );
}

/** The validated project id of the path, noted for the audit event. */
function projectIdOf(request: FastifyRequest<{ Params: IdParams }>): string {
  const id = requireProjectId(request.params.id);
  auditStateOf(request).projectId = id;
  return id;
}

function projectIdOrUndefined(raw: string): string | undefined {
  try {
    return requireProjectId(raw);
  } catch {
    return undefined;
  }
}
