import type { FastifyInstance } from 'fastify';

import { errorResponses } from './schemas.js';
import { SystemStatusView } from './status-schemas.js';
import type { SystemStatusSource } from './status-schemas.js';

/**
 * Registers `GET /manage/status`: version, uptime, request totals, the response cache's size and hit ratio,
 * and the event bus with the dispatchers this instance runs — what the admin UI's dashboard, cache and events
 * pages show. Not audited: it is read every few seconds by dashboards and changes nothing.
 */
export function registerStatusRoutes(app: FastifyInstance, status: SystemStatusSource): void {
  app.get(
    '/status',
    {
      schema: {
        tags: ['status'],
        summary: "This instance's version, uptime, cache and event figures",
        response: { 200: SystemStatusView, ...errorResponses(401, 429) },
      },
    },
    () => status(),
  );
}
