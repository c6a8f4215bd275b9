import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';

import { createAuditQueryService } from '../audit/index.js';
import type { AuditRecorder } from '../audit/index.js';
import { VERSION, systemClock } from '../core/index.js';
import type { Clock } from '../core/index.js';
import { createProjectService } from '../projects/index.js';
import type { Store } from '../store/index.js';
import { createTokenService } from '../tokens/index.js';
import { registerAdminSessionRoutes } from './admin-session-routes.js';
import { createAuditHook, noteAuditFailure } from './audit-hook.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import { registerManagementBodyParsers } from './body-parsers.js';
import { registerAuditRoutes } from './audit-routes.js';
import { registerCacheRoutes } from './cache-routes.js';
import { createJsonErrorHandler } from './error-handler.js';
import { createManagementAuthHook } from './management-auth.js';
import { registerMethodNotAllowed } from './method-not-allowed.js';
import { registerProjectRoutes } from './project-routes.js';
import type { CachePurgeService, ManagementRouteDeps } from './route-deps.js';
import { registerTokenRoutes } from './token-routes.js';
import { registerStatusRoutes } from './status-routes.js';
import type { SystemStatusSource } from './status-schemas.js';
import { registerUsageRoutes } from './usage-routes.js';
import { createValidatorCompiler } from './validation.js';

/** Largest accepted management request body: 1 MiB. */
export const MANAGEMENT_BODY_LIMIT = 1024 * 1024;

/** Options of {@link managementPlugin}. */
export interface ManagementPluginOptions {
  /** The `MANAGEMENT_TOKEN` every call must present as `Authorization: Bearer …`. */
  readonly managementToken: string;
  /** Limits on wrong management tokens per client address. */
  readonly authLimits: {
    /** 0 means no limit. */
    readonly maxFailures: number;
    readonly lockoutMs: number;
    readonly failureDelayMs: number;
  };
  readonly store: Store;
  readonly audit: AuditRecorder;
  /** Whether audit events are stored in the database (`AUDIT_STORE_IN_DB`); else `/audit` answers 503. */
  readonly auditQueryEnabled: boolean;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Names of the configured providers a project may name. */
  readonly providers: readonly string[];
  /** The response cache's purge; absent when caching is disabled (`/cache/purge` then answers 400). */
  readonly cachePurge?: CachePurgeService | undefined;
  /** What `GET /status` answers; without it the route is not served. */
  readonly status?: SystemStatusSource | undefined;
}

/**
 * The management REST API (register it with `prefix: '/manage'`): projects, tokens, the audit trail and usage, with
 * its own validation, JSON error envelope, bearer authentication, audit of every action and an OpenAPI
 * document at `/openapi.json` (served without authentication: it holds no secrets).
 */
export const managementPlugin: FastifyPluginAsync<ManagementPluginOptions> = async function managementPlugin(
  app,
  options,
) {
  const clock = options.clock ?? systemClock;
  const deps: ManagementRouteDeps = {
    projects: createProjectService(options.store, options.providers),
    tokens: createTokenService(options.store, clock),
    auditQuery: createAuditQueryService(options.store),
    audit: options.audit,
    auditQueryEnabled: options.auditQueryEnabled,
    clock,
    cachePurge: options.cachePurge,
    usage: options.store.usage,
  };

  app.setValidatorCompiler(createValidatorCompiler());
  app.setErrorHandler(createJsonErrorHandler(noteAuditFailure));
  registerManagementBodyParsers(app, MANAGEMENT_BODY_LIMIT);
  app.addHook('onRequest', (_request, reply, done) => {
    // Responses carry project data and, once, a fresh token: no cache may keep them.
    void reply.header('Cache-Control', 'no-store');
    done();
  });

  await registerOpenApi(app);

  await app.register(function securedManagementRoutes(secured, _options, done) {
    secured.addHook(
      'onRequest',
      createManagementAuthHook({
        managementToken: options.managementToken,
        limiter: new AuthFailureLimiter({
          maxFailures: options.authLimits.maxFailures,
          windowMs: options.authLimits.lockoutMs,
        }),
        failureDelayMs: options.authLimits.failureDelayMs,
        now: () => clock.now().getTime(),
      }),
    );
    secured.addHook('onSend', createAuditHook(options.audit));
    registerProjectRoutes(secured, deps);
    registerTokenRoutes(secured, deps);
    registerAuditRoutes(secured, deps);
    registerCacheRoutes(secured, deps);
    registerUsageRoutes(secured, deps);
    registerAdminSessionRoutes(secured);
    if (options.status !== undefined) registerStatusRoutes(secured, options.status);
    registerMethodNotAllowed(secured, '/projects', ['GET', 'POST']);
    registerMethodNotAllowed(secured, '/projects/:id', ['GET', 'PATCH', 'DELETE'], ['GET', 'PATCH']);
    registerMethodNotAllowed(secured, '/projects/:id/tokens/revoke', ['POST']);
    registerMethodNotAllowed(secured, '/tokens', ['GET', 'POST']);
    registerMethodNotAllowed(secured, '/tokens/:id', ['GET', 'PATCH', 'DELETE']);
    registerMethodNotAllowed(secured, '/tokens/:id/rotate', ['POST']);
    registerMethodNotAllowed(secured, '/audit', ['GET']);
    registerMethodNotAllowed(secured, '/audit/:id', ['GET']);
    registerMethodNotAllowed(secured, '/cache/purge', ['POST']);
    registerMethodNotAllowed(secured, '/usage', ['GET']);
    registerMethodNotAllowed(secured, '/admin/sign-in', ['POST']);
    if (options.status !== undefined) registerMethodNotAllowed(secured, '/status', ['GET']);
    registerMethodNotAllowed(secured, '/admin/sign-out', ['POST']);
    done();
  });
};

/** Generates the OpenAPI 3 document from the route schemas and serves it at `/openapi.json`. */
async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'llm-proxy management API',
        version: VERSION,
        description:
          'Projects, proxy tokens, the audit trail, the response cache and token usage. Errors are `{"error": "...", "code": "..."}`.',
      },
      components: {
        securitySchemes: {
          managementToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'the MANAGEMENT_TOKEN of the server',
          },
        },
      },
      security: [{ managementToken: [] }],
      tags: [
        { name: 'projects', description: 'projects and their provider keys' },
        { name: 'tokens', description: 'proxy tokens' },
        { name: 'audit', description: 'the audit trail' },
        { name: 'cache', description: 'the response cache' },
        { name: 'usage', description: 'token usage and estimated cost' },
        { name: 'status', description: "this instance's live figures" },
        { name: 'admin', description: 'sign-in and sign-out of the admin UI, for its audit trail' },
      ],
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
}
