import type { IncomingHttpHeaders } from 'node:http';

import { AppError, ERRORS } from '../core/index.js';
import type { ProviderConfig, ProvidersConfig } from '../config/index.js';
import type { Project } from '../store/index.js';
import { originAllowed } from './cors.js';
import type { RouteVerdict } from './route-policy.js';

/** Throws the proxy error for a route outside the allowlists. */
export function throwOnVerdict(verdict: RouteVerdict): void {
  if (verdict === 'endpoint_not_found') throw new AppError(ERRORS.ENDPOINT_NOT_FOUND);
  if (verdict === 'method_not_allowed') {
    throw new AppError(ERRORS.METHOD_NOT_ALLOWED, { message: 'Method not allowed' });
  }
}

/** The llm-proxy token from `Authorization: Bearer …` (OpenAI clients) or `x-api-key` (Anthropic clients). */
export function presentedToken(headers: IncomingHttpHeaders): string {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    // What every client sends, checked without lower-casing a copy.
    if (authorization.startsWith('Bearer ')) {
      const token = authorization.slice(7).trim();
      if (token !== '') return token;
      throw new AppError(ERRORS.INVALID_TOKEN);
    }
    const space = authorization.indexOf(' ');
    if (space > 0 && authorization.slice(0, space).toLowerCase() === 'bearer') {
      const token = authorization.slice(space + 1).trim();
      if (token !== '') return token;
    }
    throw new AppError(ERRORS.INVALID_TOKEN);
  }
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.trim() !== '') return apiKey.trim();
  throw new AppError(ERRORS.INVALID_TOKEN);
}

/** The provider serving a project: the one it names, or the default one. */
export function providerOf(project: Project, providers: ProvidersConfig): ProviderConfig {
  const provider = providers.providers.get(project.provider ?? providers.defaultProvider);
  if (provider === undefined) throw new AppError(ERRORS.PROVIDER_NOT_CONFIGURED);
  return provider;
}

/** Applies the provider's `allowed_origins` and `required_headers: [origin]`. */
export function checkOrigin(provider: ProviderConfig, origin: string | undefined): void {
  if (origin === undefined) {
    if (provider.requireOrigin) throw new AppError(ERRORS.ORIGIN_REQUIRED);
    return;
  }
  if (!originAllowed(origin, provider.allowedOrigins)) throw new AppError(ERRORS.ORIGIN_NOT_ALLOWED);
}
