import type { FastifyInstance } from 'fastify';

import { registerAuditPages } from './audit-pages.js';
import { registerCachePage } from './cache-page.js';
import { registerDashboardPage } from './dashboard-page.js';
import { registerEventsPage } from './events-page.js';
import { registerProjectPages } from './project-pages.js';
import { registerTokenPages } from './token-pages.js';

/** Registers every signed-in page; each module reaches its request's context with `adminContext(request)`. */
export function registerPages(app: FastifyInstance): void {
  registerDashboardPage(app);
  registerProjectPages(app);
  registerTokenPages(app);
  registerAuditPages(app);
  registerCachePage(app);
  registerEventsPage(app);
}
