import { setTimeout as sleep } from 'node:timers/promises';

import type { FastifyRequest } from 'fastify';

import { AppError, ERRORS, secretsEqual } from '../core/index.js';
import type { AuthFailureLimiter } from './auth-failure-limiter.js';

const SCHEME = 'Bearer ';

/** Options of {@link createManagementAuthHook}. */
export interface ManagementAuthOptions {
  readonly managementToken: string;
  /** Counts wrong tokens per client address and refuses an address that sent too many. */
  readonly limiter: AuthFailureLimiter;
  /** How long each wrong token waits before it is answered, in ms. */
  readonly failureDelayMs: number;
  /** Milliseconds since the epoch (the gateway's clock). */
  readonly now: () => number;
}

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

/**
 * An `onRequest` hook that lets only holders of the management token through. Wrong tokens are slowed down
 * and counted per peer address; an address over the limit is answered 429 with `Retry-After` — without its
 * token being compared — until its window ends. The peer address is used, not `X-Forwarded-For`: a guesser
 * could send a new forwarded address with every attempt.
 */
export function createManagementAuthHook(
  options: ManagementAuthOptions,
): (request: FastifyRequest) => Promise<void> {
  const { limiter, failureDelayMs, managementToken, now } = options;
  return async function authenticateManagementRequest(request) {
    const address = request.socket.remoteAddress ?? 'unknown';
    const lockedMs = limiter.lockedFor(address, now());
    if (lockedMs !== undefined) {
      throw new AppError(ERRORS.MANAGEMENT_AUTH_LOCKED, {
        headers: { 'Retry-After': String(Math.max(1, Math.ceil(lockedMs / 1000))) },
      });
    }
    try {
      checkManagementAuthorization(request.headers.authorization, managementToken);
    } catch (error) {
      if (error instanceof AppError && error.code === ERRORS.MANAGEMENT_TOKEN_INVALID.code) {
        limiter.noteFailure(address, now());
        if (failureDelayMs > 0) await sleep(failureDelayMs);
      }
      throw error;
    }
    limiter.noteSuccess(address);
  };
}
