import type { LightMyRequestResponse } from 'fastify';
import { parse } from 'node-html-parser';
import type { HTMLElement } from 'node-html-parser';

import { MANAGEMENT_TOKEN } from './management.js';

/** Something requests can be injected into: a test gateway, or a bare Fastify app. */
export interface Injectable {
  inject(options: {
    method: string;
    url: string;
    headers?: Record<string, string>;
    payload?: string;
  }): Promise<LightMyRequestResponse>;
}

/** A signed-in browser, as the admin UI's tests drive it without one: cookies, CSRF token and origin. */
export interface AdminClient {
  /** The session cookie (`llmproxy_session=…`). */
  readonly cookie: string;
  /** The session's CSRF token, as pages embed it. */
  readonly csrfToken: string;
  /** A GET with the session cookie. */
  get(path: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** A form post with the session cookie, the CSRF token (unless the form sets `_csrf`) and our Origin. */
  post(
    path: string,
    form?: Record<string, string>,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
}

/** Options of {@link signInToAdmin}. */
export interface SignInOptions {
  /** @default '/admin' */
  readonly basePath?: string;
  /** @default the test management token */
  readonly token?: string;
  readonly rememberMe?: boolean;
  /** Extra headers of every request (User-Agent, X-Forwarded-For …). */
  readonly headers?: Record<string, string>;
}

/** The origin injected requests come from (light-my-request's Host). */
export const OWN_ORIGIN = 'http://localhost:80';

/** Signs in through the login form and returns the signed-in client; throws when the sign-in fails. */
export async function signInToAdmin(app: Injectable, options: SignInOptions = {}): Promise<AdminClient> {
  const basePath = options.basePath ?? '/admin';
  const extra = options.headers ?? {};
  const signIn = await submitSignIn(app, {
    basePath,
    token: options.token ?? MANAGEMENT_TOKEN,
    rememberMe: options.rememberMe ?? false,
    headers: extra,
  });
  if (signIn.statusCode !== 303)
    throw new Error(`sign-in answered ${String(signIn.statusCode)}: ${signIn.body}`);
  const cookie = cookieFrom(signIn, 'llmproxy_session');
  if (cookie === undefined) throw new Error('sign-in set no session cookie');
  const dashboard = await app.inject({
    method: 'GET',
    url: `${basePath}/dashboard`,
    headers: { ...extra, cookie },
  });
  const csrfToken = hiddenField(dashboard.body, '_csrf');
  if (csrfToken === undefined) throw new Error('the dashboard holds no CSRF token');
  return {
    cookie,
    csrfToken,
    get: (path, headers = {}) =>
      app.inject({ method: 'GET', url: path, headers: { ...extra, cookie, ...headers } }),
    post: (path, form = {}, headers = {}) =>
      app.inject({
        method: 'POST',
        url: path,
        headers: {
          ...extra,
          cookie,
          origin: OWN_ORIGIN,
          'content-type': 'application/x-www-form-urlencoded',
          ...headers,
        },
        payload: new URLSearchParams({ _csrf: csrfToken, ...form }).toString(),
      }),
  };
}

/** Loads the sign-in form and posts it with its own CSRF cookie and field. */
export async function submitSignIn(
  app: Injectable,
  options: {
    basePath: string;
    token: string;
    rememberMe?: boolean;
    headers?: Record<string, string>;
    next?: string;
  },
): Promise<LightMyRequestResponse> {
  const extra = options.headers ?? {};
  const form = await app.inject({ method: 'GET', url: `${options.basePath}/auth/login`, headers: extra });
  const signInCookie = cookieFrom(form, 'llmproxy_signin');
  const csrf = hiddenField(form.body, '_csrf');
  if (signInCookie === undefined || csrf === undefined) throw new Error('the sign-in form has no CSRF token');
  const fields: Record<string, string> = { _csrf: csrf, management_token: options.token };
  if (options.rememberMe === true) fields.remember_me = 'true';
  if (options.next !== undefined) fields.next = options.next;
  return app.inject({
    method: 'POST',
    url: `${options.basePath}/auth/login`,
    headers: {
      ...extra,
      cookie: signInCookie,
      origin: OWN_ORIGIN,
      'content-type': 'application/x-www-form-urlencoded',
    },
    payload: new URLSearchParams(fields).toString(),
  });
}

/** `name=value` of a cookie the response sets, undefined when it sets none of that name. */
export function cookieFrom(response: LightMyRequestResponse, name: string): string | undefined {
  const header = response.headers['set-cookie'];
  const lines = Array.isArray(header) ? header : header === undefined ? [] : [header];
  const line = lines.find((text) => text.startsWith(`${name}=`));
  return line?.split(';', 1)[0];
}

/** The full `Set-Cookie` line of a cookie, for its attributes. */
export function setCookieLine(response: LightMyRequestResponse, name: string): string | undefined {
  const header = response.headers['set-cookie'];
  const lines = Array.isArray(header) ? header : header === undefined ? [] : [header];
  return lines.find((text) => text.startsWith(`${name}=`));
}

/** The value of the first hidden input of that name in a page. */
export function hiddenField(body: string, name: string): string | undefined {
  return parse(body).querySelector(`input[name="${name}"]`)?.getAttribute('value');
}

/** A page's document, to query with CSS selectors. */
export function page(response: LightMyRequestResponse): HTMLElement {
  return parse(response.body);
}
