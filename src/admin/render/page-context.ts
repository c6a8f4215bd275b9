import type { FastifyRequest } from 'fastify';

import { callApi, callApiForResponse } from '../api/management-api.js';
import type { ApiRequest, ApiResponse, ClientFacts, ManagementApi } from '../api/management-api.js';
import type { AdminSession, Flash, SessionStore } from '../session/session-store.js';

/** One management API call as a page makes it: the client facts are added by the context. */
export type PageApiRequest = Omit<ApiRequest, 'client'>;

/** Everything a signed-in page handler needs, built once per request by the admin plugin. */
export interface AdminContext {
  /** The mount path without a trailing slash: `/admin` on the server, `` for `llm-proxy admin`. */
  readonly basePath: string;
  readonly session: AdminSession;
  /** The browser's address, user agent and referer, forwarded to the API's audit trail. */
  readonly client: ClientFacts;
  /** The base URL clients reach the proxy at, for the snippets of a new token (`https://llm.example.com`). */
  readonly proxyBaseUrl: string;
  /** The instant the request arrived. */
  readonly now: Date;
  /** Calls the management API and returns the body; throws ManagementApiError for an error answer. */
  api(request: PageApiRequest): Promise<unknown>;
  /** {@link AdminContext.api} with the whole answer, for its headers (`X-Total-Count` of a paged list). */
  apiResponse(request: PageApiRequest): Promise<ApiResponse>;
  /**
   * Leaves a one-time notice for the next page of this session (this one, or the one a redirect leads to, on
   * whichever instance serves it); a page rendered later in this request shows it too.
   */
  setFlash(flash: Flash): Promise<void>;
  /** The notice for the page being rendered, taken from the session so that no other page shows it again. */
  takeFlash(): Promise<Flash | undefined>;
  /** A path under the mount path, with the given query (undefined and empty values left out). */
  url(path: string, query?: Readonly<Record<string, string | number | undefined>>): string;
}

/** Options of {@link createAdminContext}. */
export interface AdminContextOptions {
  readonly basePath: string;
  readonly session: AdminSession;
  readonly client: ClientFacts;
  readonly proxyBaseUrl: string;
  readonly now: Date;
  readonly managementApi: ManagementApi;
  /** Where the session's notice is kept. */
  readonly sessions: SessionStore;
}

const contexts = new WeakMap<FastifyRequest, AdminContext>();

/** Builds a request's context. */
export function createAdminContext(options: AdminContextOptions): AdminContext {
  const { session, sessions } = options;
  // What the store holds for this session as far as this request knows; a notice is stored only once.
  let pending = session.flash;
  return {
    basePath: options.basePath,
    session: options.session,
    client: options.client,
    proxyBaseUrl: options.proxyBaseUrl,
    now: options.now,
    api: (request) => callApi(options.managementApi, { ...request, client: options.client }),
    apiResponse: (request) =>
      callApiForResponse(options.managementApi, { ...request, client: options.client }),
    async setFlash(flash) {
      pending = flash;
      await sessions.setFlash(session, flash);
    },
    async takeFlash() {
      const flash = pending;
      if (flash === undefined) return undefined;
      pending = undefined;
      await sessions.setFlash(session, undefined);
      return flash;
    },
    url: (path, query) => adminUrl(options.basePath, path, query),
  };
}

/** Attaches the context to its request (the plugin's session check does it). */
export function attachAdminContext(request: FastifyRequest, context: AdminContext): void {
  contexts.set(request, context);
}

/** The context of a signed-in request; only routes behind the session check may ask. */
export function adminContext(request: FastifyRequest): AdminContext {
  const context = contexts.get(request);
  if (context === undefined) throw new Error('admin route reached without a session check');
  return context;
}

/** The context of a request when it has one (error pages inside and outside the session). */
export function findAdminContext(request: FastifyRequest): AdminContext | undefined {
  return contexts.get(request);
}

/** A path under the mount path with a query string. */
export function adminUrl(
  basePath: string,
  path: string,
  query?: Readonly<Record<string, string | number | undefined>>,
): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const search = params.toString();
  return `${basePath}${path}${search === '' ? '' : `?${search}`}`;
}
