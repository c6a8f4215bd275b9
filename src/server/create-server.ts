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

/** Everything the server is assembled from; all of it is created by the caller (the CLI). */
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

/** A built server: the Fastify app (not yet listening) and the way to stop it. */
export interface Server {
  readonly app: FastifyInstance;
  /** Stops accepting requests, drains in-flight ones and flushes the audit recorder; the store stays open. */
  close(): Promise<void>;
}

/** Assembles the HTTP server: probes, `/manage`, request ids, logging and JSON errors. */
export async function createServer(deps: ServerDeps): Promise<Server> {
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
    store: deps.store,
    audit: deps.audit,
    auditQueryEnabled: deps.config.audit.storeInDb,
    providers: [...deps.config.providers.providers.keys()],
    clock,
  });
  for (const extend of deps.extensions ?? []) await extend(app);
  await app.ready();

  return {
    app,
    async close() {
      try {
        await app.close();
      } finally {
        await deps.audit.close();
      }
    },
  };
}

/** A node:http server that hands `/v1/*` to the proxy and everything else to Fastify. */
function proxyFirst(proxy: ProxyHandler) {
  return (fastifyHandler: (req: IncomingMessage, res: ServerResponse) => void) =>
    createHttpServer((req, res) => {
      const url = req.url ?? '';
      if (url.startsWith('/v1/') || url === '/v1' || url.startsWith('/v1?')) proxy(req, res);
      else fastifyHandler(req, res);
    });
}
