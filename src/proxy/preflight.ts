import { AppError, ERRORS } from '../core/index.js';
import type { ProviderConfig } from '../config/index.js';
import { originAllowed, preflightHeaders } from './cors.js';
import type { RequestFacts } from './request-state.js';
import { endpointOf } from './route-policy.js';

const NO_CHUNKS: readonly Buffer[] = [];

/** Answers a CORS preflight locally: it never reaches the provider and needs no token. */
export function answerPreflight(state: RequestFacts, providers: readonly ProviderConfig[]): void {
  const serving = providers.filter((provider) => endpointOf(provider, state.path) !== undefined);
  if (serving.length === 0) throw new AppError(ERRORS.ENDPOINT_NOT_FOUND);
  const { headers } = state.req;
  const origin = headers.origin;
  if (origin !== undefined && !serving.some((provider) => originAllowed(origin, provider.allowedOrigins))) {
    throw new AppError(ERRORS.ORIGIN_NOT_ALLOWED);
  }
  const methods = [...new Set(serving.flatMap((provider) => provider.allowedMethods))].join(', ');
  state.req.resume();
  state.answerLocally(
    {
      status: 204,
      headers: { allow: methods, ...preflightHeaders(origin, headers['access-control-request-headers']) },
      chunks: NO_CHUNKS,
    },
    'proxy',
  );
}
