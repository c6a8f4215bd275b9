import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';

import { AppError, ERRORS } from '../core/index.js';
import type { TokenRecord } from '../store/index.js';
import { flagValue } from './flags.js';
import { requireProjectId, requireTokenId } from './ids.js';
import { auditStateOf } from './request-context.js';
import { AUDIT_ACTIONS } from './route-config.js';
import type { ManagementRouteDeps } from './route-deps.js';
import {
  CreateTokenBody,
  IdParams,
  TokenCreatedView,
  TokenListQuery,
  TokenView,
  UpdateTokenBody,
  errorResponses,
} from './schemas.js';
import { maskedToken, tokenCreatedView, tokenView } from './views.js';

const TAGS = ['tokens'];
/** Tokens per page when only `page` is given. */
const DEFAULT_TOKEN_PAGE_SIZE = 50;

/** Registers `/tokens`, `/tokens/{id}` and `/tokens/{id}/rotate` (issue, list, read, update, revoke, rotate). */
export function registerTokenRoutes(app: FastifyInstance, deps: ManagementRouteDeps): void {
  const { tokens, clock } = deps;
  const view = (token: TokenRecord) => tokenView(token, clock.now());

  app.post<{ Body: CreateTokenBody }>(
    '/tokens',
    {
      schema: {
        tags: TAGS,
        summary: 'Issue a token for an active project; the secret is returned only here',
        body: CreateTokenBody,
        response: { 201: TokenCreatedView, ...errorResponses(400, 401, 403, 404, 413, 415) },
      },
      config: { auditAction: AUDIT_ACTIONS.tokenCreate },
    },
    async (request, reply) => {
      const { body } = request;
      const audit = auditStateOf(request);
      audit.details.duration_minutes = body.duration_minutes;
      audit.details.max_requests = quotaDetail(body.max_requests);
      if (body.name !== undefined) audit.details.token_name = body.name;
      const projectId = requireProjectId(body.project_id);
      audit.projectId = projectId;
      const issued = await tokens.create({
        projectId,
        durationMinutes: body.duration_minutes,
        maxRequests: body.max_requests,
        name: body.name,
      });
      audit.tokenId = maskedToken(issued.record);
      audit.details.expires_at = issued.record.expiresAt?.toISOString();
      return reply.code(201).send(tokenCreatedView(issued.record, issued.secret));
    },
  );

  app.get<{ Querystring: TokenListQuery }>(
    '/tokens',
    {
      schema: {
        tags: TAGS,
        summary:
          'List tokens, newest first or as `sort` and `order` say; with `page` or `page_size` one page, the total in X-Total-Count',
        querystring: TokenListQuery,
        response: { 200: Type.Array(TokenView), ...errorResponses(400, 401) },
      },
      config: { auditAction: AUDIT_ACTIONS.tokenList },
    },
    async (request, reply) => {
      const { query } = request;
      const projectId = listProjectFilter(query.project_id, query.projectId);
      const activeOnly = flagValue(query.active_only ?? query.activeOnly) ?? false;
      const { status } = query;
      const filter = { projectId, activeOnly, ...(status !== undefined && { status }) };
      const paged = query.page !== undefined || query.page_size !== undefined;
      const pageSize = query.page_size ?? DEFAULT_TOKEN_PAGE_SIZE;
      const list = await tokens.list(filter, {
        sort: query.sort ?? 'created',
        order: query.order ?? 'desc',
        ...(paged && { limit: pageSize, offset: ((query.page ?? 1) - 1) * pageSize }),
      });
      // Without paging the answer stays the whole list, as the original's clients expect.
      if (paged) void reply.header('x-total-count', String(await tokens.count(filter)));
      const audit = auditStateOf(request);
      audit.projectId = projectId;
      Object.assign(audit.details, {
        token_count: list.length,
        filtered_by_project: projectId ?? null,
        active_only: activeOnly,
        ...(status !== undefined && { filtered_by_status: status }),
      });
      return list.map(view);
    },
  );

  app.get<{ Params: IdParams }>(
    '/tokens/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Read one token by its id (never by its secret)',
        params: IdParams,
        response: { 200: TokenView, ...errorResponses(400, 401, 404) },
      },
      config: { auditAction: AUDIT_ACTIONS.tokenRead },
    },
    async (request) => {
      const token = await tokens.get(tokenIdOf(request));
      noteToken(request, token);
      return view(token);
    },
  );

  app.patch<{ Params: IdParams; Body: UpdateTokenBody }>(
    '/tokens/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Activate or deactivate a token, change its quota or its name',
        params: IdParams,
        body: UpdateTokenBody,
        response: { 200: TokenView, ...errorResponses(400, 401, 404, 413, 415) },
      },
      config: { auditAction: AUDIT_ACTIONS.tokenUpdate },
    },
    async (request) => {
      const id = tokenIdOf(request);
      const { body } = request;
      const details = auditStateOf(request).details;
      if (body.is_active !== undefined) details.updated_is_active = body.is_active;
      if (body.max_requests !== undefined) details.updated_max_requests = quotaDetail(body.max_requests);
      if (body.name !== undefined) details.updated_name = body.name;
      const token = await tokens.update(id, {
        isActive: body.is_active,
        maxRequests: body.max_requests,
        name: body.name,
      });
      noteToken(request, token);
      return view(token);
    },
  );

  app.post<{ Params: IdParams }>(
    '/tokens/:id/rotate',
    {
      schema: {
        tags: TAGS,
        summary:
          'Give a token a new secret (shown only here); the old secret is refused at once, on every instance',
        params: IdParams,
        response: { 200: TokenCreatedView, ...errorResponses(400, 401, 404, 409) },
      },
      config: { auditAction: AUDIT_ACTIONS.tokenRotate },
    },
    async (request) => {
      const id = tokenIdOf(request);
      auditStateOf(request).details.token_record_id = id;
      const rotated = await tokens.rotate(id);
      noteToken(request, rotated.record);
      const details = auditStateOf(request).details;
      details.previous_token = rotated.previousPreview;
      details.grace_period_seconds = 0;
      return tokenCreatedView(rotated.record, rotated.secret);
    },
  );

  app.delete<{ Params: IdParams }>(
    '/tokens/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Revoke a token (idempotent)',
        params: IdParams,
        response: { 204: Type.Null({ description: 'revoked' }), ...errorResponses(400, 401, 404) },
      },
      config: { auditAction: AUDIT_ACTIONS.tokenRevoke },
    },
    async (request, reply) => {
      const { token, alreadyRevoked } = await tokens.revoke(tokenIdOf(request));
      noteToken(request, token);
      auditStateOf(request).details.already_revoked = alreadyRevoked;
      return reply.code(204).send();
    },
  );
}

function tokenIdOf(request: FastifyRequest<{ Params: IdParams }>): string {
  return requireTokenId(request.params.id);
}

/** Notes the token in the audit event: its project, masked preview and record id (never the secret). */
function noteToken(request: FastifyRequest, token: TokenRecord): void {
  const audit = auditStateOf(request);
  audit.projectId = token.projectId;
  audit.tokenId = maskedToken(token);
  audit.details.token_record_id = token.id;
}

/** The project filter of a token list: `project_id` (README) or `projectId` (original code), not two different ones. */
function listProjectFilter(snake: string | undefined, camel: string | undefined): string | undefined {
  const given = [snake, camel].filter((value): value is string => value !== undefined && value !== '');
  const [first, second] = given;
  if (first === undefined) return undefined;
  if (second !== undefined && second !== first) {
    throw new AppError(ERRORS.VALIDATION_FAILED, { message: 'project_id and projectId disagree' });
  }
  return requireProjectId(first);
}

/** Quotas are audited as a number, or `"unlimited"` as in the original. */
function quotaDetail(maxRequests: number | undefined): number | string {
  return maxRequests === undefined || maxRequests <= 0 ? 'unlimited' : maxRequests;
}
