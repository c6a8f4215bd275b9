import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';

import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

import type { AuditRecorder } from '../audit/index.js';
import type { Config } from '../config/index.js';
import { AppError, ERRORS, bodyStillArriving, systemClock } from '../core/index.js';
import type { Clock, Logger } from '../core/index.js';
import {
  MANAGEMENT_BODY_LIMIT,
  createJsonErrorHandler,
  managementPlugin,
  sendAppError,
} from '../manage/index.js';
import type { CachePurgeService, SystemStatusSource } from '../manage/index.js';
import type { ProxyHandler } from '../proxy/index.js';
import type { Store } from '../store/index.js';
import { ConnectionGuard } from './connection-guard.js';
import { redactingLogger } from './log-redaction.js';
import { registerProbes } from './probes.js';
import { answerClientError, refuseRequest } from './refusals.js';
import { echoRequestIds, requestIdFor } from './request-ids.js';

/** How often node:http looks for requests past REQUEST_HEADERS_TIMEOUT or REQUEST_BODY_TIMEOUT. */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

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
  /** The response cache's purge (`POST /manage/cache/purge`); absent when caching is disabled. */
  readonly cachePurge?: CachePurgeService | undefined;
  /** What `GET /manage/status` answers. */
  readonly status?: SystemStatusSource | undefined;
}

/**
 * Assembles the HTTP server — connection limits and request timeouts, probes, `/manage`, request ids, logging,
 * JSON errors and `/v1` ahead of Fastify's routing — and returns the Fastify app, ready and not yet listening.
 * Its parts are built by the composition root, which also closes them.
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
    serverFactory: guardedServer(deps),
    clientErrorHandler: answerClientError,
  });

  app.addHook('onRequest', echoRequestIds);
  app.addHook('onSend', function closeWhenBodyUnread(request, reply, payload, done) {
    // Refused before its body arrived (a 401 from the management token check): close rather than wait for
    // the rest. See bodyStillArriving for why it looks twice.
    if (!bodyStillArriving(request.raw)) {
      done(null, payload);
      return;
    }
    setImmediate(() => {
      if (bodyStillArriving(request.raw)) void reply.header('connection', 'close');
      done(null, payload);
    });
  });
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
    cachePurge: deps.cachePurge,
    status: deps.status,
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

/**
 * The node:http server: requests past a connection or in-flight limit are refused before anything reads them,
 * the others go `/v1/*` to the proxy and everything else to Fastify. node:http enforces the headers and
 * whole-request timeouts; they concern only the request, never how long a response streams.
 */
function guardedServer(deps: ServerDeps) {
  const limits = deps.config.connections;
  return function createGuardedServer(fastifyHandler: RequestListener) {
    const route = deps.proxy === undefined ? fastifyHandler : routeRequests(deps.proxy, fastifyHandler);
    const guard = new ConnectionGuard(limits);
    const server = createHttpServer(
      {
        // node:http refuses a headers timeout longer than the whole-request one.
        headersTimeout:
          limits.bodyTimeoutMs > 0
            ? Math.min(limits.headersTimeoutMs, limits.bodyTimeoutMs)
            : limits.headersTimeoutMs,
        requestTimeout: limits.bodyTimeoutMs,
        connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
      },
      function guardedRequest(req, res) {
        const refusal = guard.admit(req, res);
        if (refusal === undefined) route(req, res);
        else refuseRequest(req, res, refusal);
      },
    );
    guard.attach(server);
    return server;
  };
}
