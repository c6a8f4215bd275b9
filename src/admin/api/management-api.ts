/** Who stands behind an admin UI call: forwarded to `/manage` so its audit records the browser, not the UI. */
export interface ClientFacts {
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
  readonly referer: string | undefined;
}

/** One call of the management API, path relative to `/manage` (`/projects`, `/tokens/…`). */
export interface ApiRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly path: string;
  /** Query parameters; undefined and empty values are left out. */
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  readonly client: ClientFacts;
  /** The bearer token to present instead of the configured one (a sign-in checks the token typed in). */
  readonly token?: string;
}

/** The API's answer: its status, headers (lower-case names) and parsed JSON body (undefined when it had none). */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/**
 * The management API as the admin UI reaches it: in-process (the server's own `/manage` routes, no socket) or
 * over HTTP (`llm-proxy admin --api-base-url`). Either way every rule, validation and audit record is the
 * API's own; the UI holds no second copy of them. Implementations add the management token and the
 * forwarded client headers (`X-Forwarded-For`, `X-Forwarded-User-Agent`, `X-Forwarded-Referer`,
 * `X-Admin-Origin: 1`).
 */
export interface ManagementApi {
  call(request: ApiRequest): Promise<ApiResponse>;
}

/** A management API answer of 400 or more, with the API's own message. */
export class ManagementApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The API's stable error code, when it sent one. */
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ManagementApiError';
  }
}

/**
 * Calls the API and returns the body of a successful answer; throws ManagementApiError for a status of 400 or
 * more, with the message and code of the API's error envelope (`{"error": "…", "code": "…"}`).
 */
export async function callApi(api: ManagementApi, request: ApiRequest): Promise<unknown> {
  return (await callApiForResponse(api, request)).body;
}

/** {@link callApi}, returning the whole answer (for headers such as `X-Total-Count`). */
export async function callApiForResponse(api: ManagementApi, request: ApiRequest): Promise<ApiResponse> {
  const response = await api.call(request);
  if (response.status < 400) return response;
  const envelope = isObject(response.body) ? response.body : {};
  const message = typeof envelope.error === 'string' ? envelope.error : undefined;
  const code = typeof envelope.code === 'string' ? envelope.code : undefined;
  throw new ManagementApiError(
    response.status,
    message ?? `the management API answered ${String(response.status)}`,
    code,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The headers that carry the browser's facts to the API's audit trail (the original's names). */
export function forwardedHeaders(client: ClientFacts): Record<string, string> {
  const headers: Record<string, string> = { 'x-admin-origin': '1' };
  if (client.ip !== undefined) headers['x-forwarded-for'] = client.ip;
  if (client.userAgent !== undefined) headers['x-forwarded-user-agent'] = client.userAgent;
  if (client.referer !== undefined) headers['x-forwarded-referer'] = client.referer;
  return headers;
}

/** `?a=1&b=2` of the defined, non-empty parameters; empty when there are none. */
export function queryString(query: ApiRequest['query']): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
