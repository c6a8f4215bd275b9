import { AppError, ERRORS } from '../core/index.js';

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'ETIMEDOUT']);
/** undici's own errors that are about connecting, not about the request the proxy built. */
const CONNECT_ERROR_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

/** Turns an upstream transport failure into the proxy's 502 or 504, keeping the cause for the logs. */
export function toProxyError(error: Error): AppError {
  const code = errorCode(error);
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new AppError(ERRORS.UPSTREAM_TIMEOUT, { cause: error });
  }
  return new AppError(ERRORS.UPSTREAM_UNREACHABLE, { cause: error });
}

/**
 * Whether an error that ended a request before it was written proves the upstream out of reach: a system
 * error of the connection (refused, DNS, unreachable network, TLS) or undici's connect timeout — and not one of
 * undici's refusals of the request itself (an invalid header, a closed pool), which a client could provoke to
 * open the circuit for everybody.
 */
export function isConnectFailure(error: Error): boolean {
  const code = errorCode(error);
  if (code === undefined) return false;
  return !code.startsWith('UND_ERR_') || CONNECT_ERROR_CODES.has(code);
}

function errorCode(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
