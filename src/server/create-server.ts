import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';

import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

import type { AuditRecorder } from '../audit/index.js';
import type { Config } from '../config/index.js';
import { AppError, ERRORS, systemClock } from '../core/index.js';
import type { Clock, Logger } from '../core/index.js';
import {
  MANAGEMENT_BODY_LIMIT,
  createJsonErrorHandler,
  managementPlugin,
  sendAppError,
} from '../manage/index.js';
import type { ProxyHandler } from '../proxy/index.js';
import type { Store } from '../store/index.js';
import { redactingLogger } from './log-redaction.js';
import { registerProbes } from './probes.js';
import { echoRequestIds, requestIdFor } from './request-ids.js';

/** Registers one more part of the server (the proxy on `/v1`, metrics, the admin UI …). */
export type ServerExtension = (app: FastifyInstance) => PromiseLike<unknown> | undefined;

/** Everything the server is assembled from; all of it is created by the composition root. */
export interface ServerDeps {
  readonly config: Config;
  readonly store: Store;
  readonly logger: Logger;
  readonly audit: AuditRecorder;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Further parts registered after the probes and the management API, in order. */
  readonly extensions?: readonly ServerExtension[];
  /** The `/v1` pipeline; it gets `/v1/*` straight from node:http, ahead of Fastify's routing and hooks. */
  readonly proxy?: ProxyHandler;
}

/**
 * Assembles the HTTP server — probes, `/manage`, request ids, logging, JSON errors and `/v1` ahead of Fastify's
 * routing — and returns the Fastify app, ready and not yet listening. Its parts are built by the composition
 * root, which also closes them.
 */
export async function createServer(deps: ServerDeps): Promise<FastifyInstance> {
  const clock = deps.clock ?? systemClock;
  const loggerInstance: FastifyBaseLogger = redactingLogger(deps.logger);
  const app = Fastify({
    loggerInstance,
    genReqId: requestIdFor,
    requestIdHeader: false,
    bodyLimit: MANAGEMENT_BODY_LIMIT,
    // Our client-IP rule reads X-Forwarded-For itself; Fastify's request.ip stays the peer address.
    trustProxy: false,
    ...(deps.proxy !== undefined && { serverFactory: proxyFirst(deps.proxy) }),
  });

  app.addHook('onRequest', echoRequestIds);
  app.setErrorHandler(createJsonErrorHandler());
  app.setNotFoundHandler((_request, reply) => sendAppError(reply, new AppError(ERRORS.NOT_FOUND)));

  registerProbes(app, { store: deps.store, clock });
  await app.register(managementPlugin, {
    prefix: '/manage',
    managementToken: deps.config.managementToken,
    authLimits: deps.config.managementAuth,
    store: deps.store,
    audit: deps.audit,
    auditQueryEnabled: deps.config.audit.storeInDb,
    providers: [...deps.config.providers.providers.keys()],
    clock,
  });
  for (const extend of deps.extensions ?? []) await extend(app);
  await app.ready();
  return app;
}

/** A node:http request listener. */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** The server's request listener: `/v1/*` to the proxy, everything else to Fastify. */
export function routeRequests(proxy: ProxyHandler, fastifyHandler: RequestListener): RequestListener {
  return function routeRequest(req, res) {
    const url = req.url ?? '';
    if (url.startsWith('/v1/') || url === '/v1' || url.startsWith('/v1?')) proxy(req, res);
    else fastifyHandler(req, res);
  };
}

/** A node:http server that hands `/v1/*` to the proxy and everything else to Fastify. */
function proxyFirst(proxy: ProxyHandler) {
  return (fastifyHandler: RequestListener) => createHttpServer(routeRequests(proxy, fastifyHandler));
}
