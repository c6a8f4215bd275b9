import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

import type { AdminSessionConfig } from '../config/index.js';
import { AppError, ERRORS, VERSION, systemClock } from '../core/index.js';
import type { Clock, Logger } from '../core/index.js';
import { adminPlugin } from './admin-plugin.js';
import { httpManagementApi } from './api/http-management-api.js';
import type { SessionStore } from './session/session-store.js';

/** How long `/health` waits for the server's own `/health`. */
const BACKEND_HEALTH_TIMEOUT_MS = 3000;

/** Options of {@link createStandaloneAdmin}. */
export interface StandaloneAdminOptions {
  /** The server whose `/manage` API the UI talks to (`http://localhost:8080`). */
  readonly apiBaseUrl: string;
  readonly managementToken: string;
  readonly session: AdminSessionConfig;
  readonly logger: Logger;
  /** The proxy's base URL for new tokens' snippets. @default the API base URL */
  readonly proxyBaseUrl?: string;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Where sign-ins are kept; its backend belongs to the caller. @default a memory store */
  readonly sessions?: SessionStore;
}

/**
 * The admin UI as a process of its own (`llm-proxy admin`): the same plugin the server mounts, at the root
 * path, over the management API of another process; plus `GET /health` with the server's health beside its
 * own, as the original answers it. Ready, not yet listening.
 */
export async function createStandaloneAdmin(options: StandaloneAdminOptions): Promise<FastifyInstance> {
  const clock = options.clock ?? systemClock;
  const loggerInstance: FastifyBaseLogger = options.logger;
  const app = Fastify({ loggerInstance, trustProxy: false });
  const base = options.apiBaseUrl.replace(/\/+$/, '');
  app.get('/health', async () => ({
    admin: { status: 'ok', timestamp: clock.now().toISOString(), service: 'admin-ui', version: VERSION },
    backend: await backendHealth(base),
  }));
  await app.register(adminPlugin, {
    prefix: '',
    basePath: '',
    managementApi: unreachableAsAppError(
      httpManagementApi({ baseUrl: base, managementToken: options.managementToken }),
    ),
    session: options.session,
    ...(options.sessions !== undefined && { sessions: options.sessions }),
    logger: options.logger,
    clock,
    proxyBaseUrl: options.proxyBaseUrl ?? base,
  });
  await app.ready();
  return app;
}

async function backendHealth(base: string): Promise<unknown> {
  try {
    const response = await fetch(`${base}/health`, {
      signal: AbortSignal.timeout(BACKEND_HEALTH_TIMEOUT_MS),
    });
    return await response.json();
  } catch {
    return { status: 'down', error: 'Backend unavailable' };
  }
}

/** A server that cannot be reached is a 502 page saying so, not an internal error. */
function unreachableAsAppError(
  api: ReturnType<typeof httpManagementApi>,
): ReturnType<typeof httpManagementApi> {
  return {
    async call(request) {
      try {
        return await api.call(request);
      } catch (error) {
        throw new AppError(ERRORS.MANAGEMENT_API_UNREACHABLE, { cause: error });
      }
    },
  };
}
