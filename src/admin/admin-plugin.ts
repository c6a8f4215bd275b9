import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

import type { AdminSessionConfig } from '../config/index.js';
import { AppError, ERRORS, secretsEqual, systemClock } from '../core/index.js';
import type { Clock, Logger } from '../core/index.js';
import { adminAssets, adminFonts } from './render/assets.js';
import { parseCookies, serializeCookie } from './session/cookies.js';
import { createHtmlErrorHandler, sendErrorPage } from './render/error-page.js';
import { field, formOf, registerFormParser } from './session/form-body.js';
import type { ManagementApi } from './api/management-api.js';
import { attachAdminContext, createAdminContext } from './render/page-context.js';
import { registerPages } from './pages/pages.js';
import { clientFactsOf, isSameOrigin, ownOrigin, reachedOverHttps } from './session/request-facts.js';
import { setSecurityHeaders } from './session/security-headers.js';
import { MemorySessionStore } from './session/memory-session-store.js';
import type { SessionStore } from './session/session-store.js';
import { SESSION_COOKIE, registerSignInRoutes } from './session/sign-in-routes.js';

/** A year: hashed asset names change with their content, so a browser may keep them that long. */
const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

/** Options of {@link adminPlugin}. */
export interface AdminPluginOptions {
  /** The mount path without a trailing slash (`/admin`), `` at the root; the same as the register prefix. */
  readonly basePath: string;
  /** How the UI reaches the management API; called once the app is ready (it may inject into it). */
  readonly managementApi: ManagementApi;
  readonly session: AdminSessionConfig;
  readonly logger: Logger;
  /** Where sign-ins are kept (`ADMIN_UI_SESSION_STORE`). @default a memory store */
  readonly sessions?: SessionStore;
  /** @default systemClock */
  readonly clock?: Clock;
  /** The proxy's base URL for new tokens' snippets. @default the origin the browser reached the UI at */
  readonly proxyBaseUrl?: string;
}

/**
 * The admin web UI, server-rendered: sign-in, then dashboard, projects, tokens, audit, cache and events pages
 * over the management API. Register it with `prefix: basePath`. Every answer carries strict security headers;
 * every error is an HTML page; every state-changing form needs the session's CSRF token and our own origin.
 */
export const adminPlugin: FastifyPluginAsync<AdminPluginOptions> = async function adminPlugin(app, options) {
  const clock = options.clock ?? systemClock;
  const sessions = options.sessions ?? new MemorySessionStore();
  const basePath = options.basePath;
  const cookiePath = basePath === '' ? '/' : basePath;

  registerFormParser(app);
  app.setErrorHandler(createHtmlErrorHandler(basePath, options.logger));
  app.setNotFoundHandler((request, reply) => sendErrorPage(request, reply, basePath, 404, 'page not found'));
  app.addHook('onRequest', (_request, reply, done) => {
    setSecurityHeaders(reply);
    done();
  });

  registerAssetRoutes(app, basePath);
  app.get('/', (_request, reply) => reply.redirect(`${basePath}/dashboard`, 303));
  registerSignInRoutes(app, {
    basePath,
    api: options.managementApi,
    sessions,
    session: options.session,
    clock,
  });

  await app.register(function signedInPages(pages, _options, done) {
    // A store that cannot be reached rejects, and the error page says so: the operator stays signed in.
    pages.addHook('preHandler', async function requireSession(request, reply) {
      const id = parseCookies(request.headers.cookie).get(SESSION_COOKIE);
      const now = clock.now();
      const session = id === undefined ? undefined : await sessions.touch(id, now.getTime());
      if (session === undefined) return redirectToSignIn(request, reply, basePath);
      attachAdminContext(
        request,
        createAdminContext({
          basePath,
          session,
          client: clientFactsOf(request),
          proxyBaseUrl: options.proxyBaseUrl ?? ownOrigin(request),
          now,
          managementApi: options.managementApi,
          sessions,
        }),
      );
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        const sent = field(formOf(request.body), '_csrf') ?? '';
        if (!isSameOrigin(request) || !secretsEqual(sent, session.csrfToken)) {
          throw new AppError(ERRORS.ADMIN_FORM_REJECTED);
        }
      }
      return undefined;
    });

    // GET too, as the original: the SameSite=Strict cookie keeps other sites' links from signing anyone out.
    pages.route({
      method: ['GET', 'POST'],
      url: '/auth/logout',
      handler: async (request, reply) => {
        const id = parseCookies(request.headers.cookie).get(SESSION_COOKIE);
        // Ended before the audit call: a sign-out the store could not carry out is an error page, not a
        // cleared cookie over a session that lives on.
        if (id !== undefined) await sessions.delete(id);
        await options.managementApi.call({
          method: 'POST',
          path: '/admin/sign-out',
          client: clientFactsOf(request),
        });
        void reply.header(
          'set-cookie',
          serializeCookie(SESSION_COOKIE, '', {
            path: cookiePath,
            secure: reachedOverHttps(request),
            maxAge: 0,
          }),
        );
        return reply.redirect(`${basePath}/auth/login`, 303);
      },
    });
    registerPages(pages);
    done();
  });
};

function registerAssetRoutes(app: FastifyInstance, basePath: string): void {
  const byFileName = new Map([...adminAssets().values()].map((asset) => [asset.fileName, asset]));
  app.get<{ Params: { file: string } }>('/assets/:file', (request, reply) => {
    const asset = byFileName.get(request.params.file);
    if (asset === undefined) return sendErrorPage(request, reply, basePath, 404, 'asset not found');
    return reply.header('cache-control', IMMUTABLE_CACHE).type(asset.contentType).send(asset.body);
  });
  for (const font of adminFonts()) {
    app.get(`/assets/fonts/${font.fileName}`, (_request, reply) =>
      reply.header('cache-control', IMMUTABLE_CACHE).type(font.contentType).send(font.body),
    );
  }
}

function redirectToSignIn(request: FastifyRequest, reply: FastifyReply, basePath: string): FastifyReply {
  const next = request.method === 'GET' ? request.url : undefined;
  const query =
    next === undefined || next === `${basePath}/dashboard` ? '' : `?next=${encodeURIComponent(next)}`;
  return reply.redirect(`${basePath}/auth/login${query}`, 303);
}
