import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

import { AppError, ERRORS } from '../core/index.js';
import type { ProviderConfig } from '../config/index.js';
import { originAllowed, preflightHeaders } from './cors.js';
import { endpointOf } from './route-policy.js';

/** Answers a CORS preflight locally: it never reaches the provider and needs no token. */
export function answerPreflight(
  req: IncomingMessage,
  res: ServerResponse,
  providers: readonly ProviderConfig[],
  path: string,
  baseHeaders: OutgoingHttpHeaders,
): void {
  const serving = providers.filter((provider) => endpointOf(provider, path) !== undefined);
  if (serving.length === 0) throw new AppError(ERRORS.ENDPOINT_NOT_FOUND);
  const origin = req.headers.origin;
  if (origin !== undefined && !serving.some((provider) => originAllowed(origin, provider.allowedOrigins))) {
    throw new AppError(ERRORS.ORIGIN_NOT_ALLOWED);
  }
  const methods = [...new Set(serving.flatMap((provider) => provider.allowedMethods))].join(', ');
  res.writeHead(204, {
    'x-request-id': baseHeaders['x-request-id'],
    'x-proxy': 'llm-proxy',
    allow: methods,
    ...preflightHeaders(origin, req.headers['access-control-request-headers']),
  });
  res.end();
  req.resume();
}
