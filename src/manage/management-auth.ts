import type { FastifyRequest } from 'fastify';

import { AppError, ERRORS, secretsEqual } from '../core/index.js';

const SCHEME = 'Bearer ';

/**
 * Checks a management `Authorization` header exactly as the original does: the scheme must be `Bearer `
 * (case-sensitive) followed by a non-empty token, which is compared with the configured one in constant time.
 */
export function checkManagementAuthorization(header: string | undefined, managementToken: string): void {
  if (header === undefined || !header.startsWith(SCHEME) || header.length === SCHEME.length) {
    throw new AppError(ERRORS.MANAGEMENT_AUTH_MISSING);
  }
  if (!secretsEqual(header.slice(SCHEME.length), managementToken)) {
    throw new AppError(ERRORS.MANAGEMENT_TOKEN_INVALID);
  }
}

/** An `onRequest` hook that lets only holders of the management token through. */
export function createManagementAuthHook(
  managementToken: string,
): (request: FastifyRequest) => Promise<void> {
  return function authenticateManagementRequest(request) {
    checkManagementAuthorization(request.headers.authorization, managementToken);
    return Promise.resolve();
  };
}
