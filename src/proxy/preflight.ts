import { AppError, ERRORS } from '../core/index.js';
import type { ProviderConfig } from '../config/index.js';
import { browserMayRead, preflightHeaders } from './cors.js';
import type { RequestFacts } from './request-state.js';
import { endpointOf } from './route-policy.js';

const NO_CHUNKS: readonly Buffer[] = [];

/**
 * Answers a CORS preflight locally, as the original does: it never reaches the provider and needs no token.
 * An origin listed in the `allowed_origins` of a provider serving the path gets 204 with its own name in
 * `Access-Control-Allow-Origin` (not the original's `*`, which would tell every page it may send requests)
 * and the headers it asked for. When no provider serving the path lists any origin, the answer is 204
 * without CORS headers, so the browser does not send the request; when every one lists origins but not this
 * one, 403 `origin_not_allowed`.
 */
export function answerPreflight(state: RequestFacts, providers: readonly ProviderConfig[]): void {
  const serving = providers.filter((provider) => endpointOf(provider, state.path) !== undefined);
  if (serving.length === 0) throw new AppError(ERRORS.ENDPOINT_NOT_FOUND);
  const { headers } = state.req;
  const origin = headers.origin;
  let cors: Record<string, string> = {};
  if (origin !== undefined) {
    if (serving.some((provider) => browserMayRead(origin, provider.allowedOrigins))) {
      cors = preflightHeaders(origin, headers['access-control-request-headers']);
    } else if (serving.every((provider) => provider.allowedOrigins.length > 0)) {
      throw new AppError(ERRORS.ORIGIN_NOT_ALLOWED);
    }
  }
  const methods = [...new Set(serving.flatMap((provider) => provider.allowedMethods))].join(', ');
  state.req.resume();
  state.answerLocally({ status: 204, headers: { allow: methods, ...cors }, chunks: NO_CHUNKS }, 'proxy');
}
