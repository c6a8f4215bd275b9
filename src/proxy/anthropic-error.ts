import { ERRORS } from '../core/index.js';
import type { AppError } from '../core/index.js';

/**
 * The `error.type` Anthropic clients expect for each status, from Anthropic's list of error types
 * (https://docs.anthropic.com/en/api/errors). The proxy's refusal to go upstream while a circuit is open is
 * Anthropic's "temporarily overloaded"; every other failure of the proxy or the upstream link is `api_error`.
 */
function errorType(error: AppError): string {
  switch (error.statusCode) {
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    default:
      if (error.code === ERRORS.CIRCUIT_OPEN.code) return 'overloaded_error';
      return error.statusCode >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/**
 * The body of a proxy error in Anthropic's shape, `{"type": "error", "error": {"type", "message"}}`, which the
 * Anthropic SDKs parse into their own error classes. The proxy's own `code` goes where Anthropic puts its stable
 * cause codes, `error.details.error_code` (the TypeScript SDK exposes it as `APIError.errorCode`), so that
 * clients and operators can still match on it.
 */
export function anthropicErrorBody(error: AppError): string {
  return JSON.stringify({
    type: 'error',
    error: { type: errorType(error), message: error.message, details: { error_code: error.code } },
  });
}
