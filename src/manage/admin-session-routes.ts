import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

import { AUDIT_ACTIONS } from './route-config.js';
import { errorResponses } from './schemas.js';

const TAGS = ['admin'];

/**
 * Registers `POST /admin/sign-in` and `POST /admin/sign-out`, the admin UI's audit points: the UI checks the
 * token an operator types by calling sign-in with it, so that the API's own token check — constant-time
 * comparison, failure delay and per-address lockout — decides, and every attempt, failed ones included, is
 * audited with the browser's address and user agent. Neither route changes state.
 */
export function registerAdminSessionRoutes(app: FastifyInstance): void {
  app.post(
    '/admin/sign-in',
    {
      schema: {
        tags: TAGS,
        summary: 'Check a management token for an admin UI sign-in (audited as admin.login)',
        response: { 204: Type.Null({ description: 'the token is valid' }), ...errorResponses(401, 429) },
      },
      config: { auditAction: AUDIT_ACTIONS.adminLogin },
    },
    async (_request, reply) => reply.code(204).send(),
  );
  app.post(
    '/admin/sign-out',
    {
      schema: {
        tags: TAGS,
        summary: 'Record an admin UI sign-out (audited as admin.logout)',
        response: { 204: Type.Null({ description: 'recorded' }), ...errorResponses(401, 429) },
      },
      config: { auditAction: AUDIT_ACTIONS.adminLogout },
    },
    async (_request, reply) => reply.code(204).send(),
  );
}
