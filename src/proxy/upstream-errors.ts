import { AppError, ERRORS } from '../core/index.js';

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'ETIMEDOUT']);

/** Turns an upstream transport failure into the proxy's 502 or 504, keeping the cause for the logs. */
export function toProxyError(error: Error): AppError {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
    return new AppError(ERRORS.UPSTREAM_TIMEOUT, { cause: error });
  }
  return new AppError(ERRORS.UPSTREAM_UNREACHABLE, { cause: error });
}
