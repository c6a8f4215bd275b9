import { forwardedHeaders, queryString } from './management-api.js';
import type { ApiRequest, ApiResponse, ManagementApi } from './management-api.js';

/** Options of {@link httpManagementApi}. */
export interface HttpManagementApiOptions {
  /** The server's base URL (`http://localhost:8080`); `/manage` is added. */
  readonly baseUrl: string;
  readonly managementToken: string;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

/** The management API of another process, over HTTP: what `llm-proxy admin` talks to. */
export function httpManagementApi(options: HttpManagementApiOptions): ManagementApi {
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    async call(request: ApiRequest): Promise<ApiResponse> {
      const headers: Record<string, string> = {
        ...forwardedHeaders(request.client),
        authorization: `Bearer ${request.token ?? options.managementToken}`,
        accept: 'application/json',
      };
      if (request.body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${base}/manage${request.path}${queryString(request.query)}`, {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
      const text = await response.text();
      let body: unknown;
      try {
        body = text === '' ? undefined : (JSON.parse(text) as unknown);
      } catch {
        body = undefined;
      }
      return { status: response.status, headers: Object.fromEntries(response.headers), body };
    },
  };
}
