import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { AdminSessionConfig } from '../../config/index.js';
import { AppError, ERRORS, secretsEqual } from '../../core/index.js';
import type { Clock } from '../../core/index.js';
import { parseCookies, serializeCookie } from './cookies.js';
import { field, formOf } from './form-body.js';
import { html } from '../render/html.js';
import type { SafeHtml } from '../render/html.js';
import { renderBarePage } from '../render/layout.js';
import type { ManagementApi } from '../api/management-api.js';
import { clientFactsOf, isSameOrigin, reachedOverHttps } from './request-facts.js';
import { randomId } from './session-store.js';
import type { SessionStore } from './session-store.js';

/** The session cookie (the original's name); it holds a random id, never the management token. */
export const SESSION_COOKIE = 'llmproxy_session';
/** The sign-in form's own CSRF cookie (double submit): there is no session to hold a token yet. */
const SIGN_IN_COOKIE = 'llmproxy_signin';

/** What the sign-in and sign-out routes need. */
export interface SignInDeps {
  readonly basePath: string;
  readonly api: ManagementApi;
  readonly sessions: SessionStore;
  readonly session: AdminSessionConfig;
  readonly clock: Clock;
}

/**
 * `GET|POST /auth/login`. The typed token is checked by the management API itself (`POST
 * /manage/admin/sign-in` with it as the bearer), so its constant-time comparison, failure delay, per-address
 * lockout and audit decide; a valid one starts a fresh session whose random id is the only thing the cookie
 * holds.
 */
export function registerSignInRoutes(app: FastifyInstance, deps: SignInDeps): void {
  const cookiePath = deps.basePath === '' ? '/' : deps.basePath;

  app.get('/auth/login', async (request, reply) => {
    const id = parseCookies(request.headers.cookie).get(SESSION_COOKIE);
    if (id !== undefined && (await deps.sessions.touch(id, deps.clock.now().getTime())) !== undefined) {
      return reply.redirect(`${deps.basePath}/dashboard`, 303);
    }
    return sendSignInPage(request, reply, 200, undefined);
  });

  app.post('/auth/login', async (request, reply) => {
    const form = formOf(request.body);
    const expected = parseCookies(request.headers.cookie).get(SIGN_IN_COOKIE);
    const sent = field(form, '_csrf') ?? '';
    if (!isSameOrigin(request) || expected === undefined || !secretsEqual(sent, expected)) {
      throw new AppError(ERRORS.ADMIN_FORM_REJECTED);
    }
    const token = field(form, 'management_token') ?? '';
    if (token === '') return sendSignInPage(request, reply, 400, 'Management token is required.');
    const answer = await deps.api.call({
      method: 'POST',
      path: '/admin/sign-in',
      client: clientFactsOf(request),
      token,
    });
    if (answer.status === 429) {
      return sendSignInPage(
        request,
        reply,
        429,
        'Too many failed sign-ins from this address. Wait a while and try again.',
      );
    }
    if (answer.status !== 204) {
      return sendSignInPage(request, reply, 401, 'Invalid management token. Please check and try again.');
    }
    const remember =
      form.remember_me !== undefined && form.remember_me !== '' && form.remember_me !== 'false';
    const lifetime = remember ? deps.session.rememberMeMaxAgeMs : deps.session.maxAgeMs;
    // Rejects when the store cannot be reached: no cookie is set for a session that was never kept.
    const { id } = await deps.sessions.create({
      now: deps.clock.now().getTime(),
      idleTimeoutMs: remember ? deps.session.rememberMeMaxAgeMs : deps.session.idleTimeoutMs,
      maxAgeMs: lifetime,
      remember,
    });
    const secure = reachedOverHttps(request);
    void reply.header('set-cookie', [
      serializeCookie(SESSION_COOKIE, id, {
        path: cookiePath,
        secure,
        ...(remember ? { maxAge: Math.floor(lifetime / 1000) } : {}),
      }),
      serializeCookie(SIGN_IN_COOKIE, '', { path: `${deps.basePath}/auth`, secure, maxAge: 0 }),
    ]);
    return reply.redirect(safeNext(deps.basePath, field(form, 'next')), 303);
  });

  function sendSignInPage(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    problem: string | undefined,
  ): FastifyReply {
    const formToken = randomId();
    void reply.header(
      'set-cookie',
      serializeCookie(SIGN_IN_COOKIE, formToken, {
        path: `${deps.basePath}/auth`,
        secure: reachedOverHttps(request),
      }),
    );
    const next =
      typeof request.query === 'object' && request.query !== null
        ? (request.query as Record<string, unknown>).next
        : undefined;
    const page = renderBarePage(
      deps.basePath,
      'Sign In',
      signInForm(deps.basePath, formToken, problem, typeof next === 'string' ? next : undefined),
    );
    return reply.code(status).type('text/html; charset=utf-8').send(page);
  }
}

/** Where a sign-in continues: the page the browser was sent away from, if it is one of ours. */
export function safeNext(basePath: string, next: string | undefined): string {
  const fallback = `${basePath}/dashboard`;
  if (next === undefined || !next.startsWith(`${basePath}/`)) return fallback;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (next.startsWith('//') || next.includes('\\') || /[\u0000-\u001f]/.test(next)) return fallback;
  return next;
}

function signInForm(
  basePath: string,
  formToken: string,
  problem: string | undefined,
  next: string | undefined,
): SafeHtml {
  return html`<div class="row justify-content-center">
    <div class="col-sm-10 col-md-7 col-lg-5">
      <h1 class="h3 mb-4 text-center">llm-proxy admin</h1>
      <div class="card shadow-sm">
        <div class="card-body p-4">
          <h2 class="h5 mb-3">Sign In</h2>
          ${problem === undefined ? '' : html`<div class="alert alert-danger" role="alert">${problem}</div>`}
          <form method="post" action="${basePath}/auth/login">
            <input type="hidden" name="_csrf" value="${formToken}" />
            ${next === undefined ? '' : html`<input type="hidden" name="next" value="${next}" />`}
            <div class="mb-3">
              <label for="management_token" class="form-label">Management Token</label>
              <input
                type="password"
                class="form-control"
                id="management_token"
                name="management_token"
                autocomplete="current-password"
                required
                autofocus
              />
              <div class="form-text">The server's MANAGEMENT_TOKEN.</div>
            </div>
            <div class="form-check mb-3">
              <input
                class="form-check-input"
                type="checkbox"
                id="remember_me"
                name="remember_me"
                value="true"
              />
              <label class="form-check-label" for="remember_me">Remember me</label>
            </div>
            <button type="submit" class="btn btn-primary w-100">Sign In</button>
          </form>
        </div>
      </div>
    </div>
  </div>`;
}
