import type { FastifyInstance } from 'fastify';

import { forwardedHeaders, queryString } from './management-api.js';
import type { ApiRequest, ApiResponse, ManagementApi } from './management-api.js';

/** Options of {@link injectedManagementApi}. */
export interface InjectedManagementApiOptions {
  /** The server whose `/manage` routes answer; the calls go through its whole request lifecycle. */
  readonly app: FastifyInstance;
  readonly managementToken: string;
  /** @default '/manage' */
  readonly prefix?: string;
}

/**
 * The management API of this very server, called without a socket (`app.inject`): the same routes, validation,
 * authentication and audit as a remote client gets, at the cost of a function call.
 */
export function injectedManagementApi(options: InjectedManagementApiOptions): ManagementApi {
  const prefix = options.prefix ?? '/manage';
  return {
    async call(request: ApiRequest): Promise<ApiResponse> {
      const headers: Record<string, string> = {
        ...forwardedHeaders(request.client),
        authorization: `Bearer ${request.token ?? options.managementToken}`,
      };
      if (request.body !== undefined) headers['content-type'] = 'application/json';
      const response = await options.app.inject({
        method: request.method,
        url: `${prefix}${request.path}${queryString(request.query)}`,
        headers,
        ...(request.body === undefined ? {} : { payload: JSON.stringify(request.body) }),
      });
      const answered: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) answered[name] = Array.isArray(value) ? value.join(', ') : String(value);
      }
      return { status: response.statusCode, headers: answered, body: parseJson(response.body) };
    },
  };
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
