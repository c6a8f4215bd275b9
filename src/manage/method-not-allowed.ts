import type { FastifyInstance, HTTPMethods } from 'fastify';

import { AppError, ERRORS } from '../core/index.js';

const METHODS: readonly HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * Answers 405 with an `Allow` header for every method a path does not serve (instead of Fastify's 404).
 * `registered` are the methods that have routes; `allowed` those that are advertised as working.
 */
export function registerMethodNotAllowed(
  app: FastifyInstance,
  url: string,
  registered: readonly HTTPMethods[],
  allowed: readonly HTTPMethods[] = registered,
): void {
  const taken = new Set<HTTPMethods>(registered.includes('GET') ? [...registered, 'HEAD'] : registered);
  const allow = allowed.join(', ');
  app.route({
    method: METHODS.filter((method) => !taken.has(method)),
    url,
    schema: { hide: true },
    handler: function methodNotAllowed() {
      throw new AppError(ERRORS.METHOD_NOT_ALLOWED, { headers: { Allow: allow } });
    },
  });
}
