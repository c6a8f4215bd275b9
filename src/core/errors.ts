/** One entry of the error catalog: a stable machine code, the HTTP status and a safe default message. */
export interface ErrorDefinition {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

/**
 * Every error llm-proxy answers with. Codes are stable and never reused; `docs/errors.md` lists them and a test
 * keeps both in sync. Messages never contain secrets.
 */
export const ERRORS = {
  NOT_FOUND: { code: 'not_found', status: 404, message: 'not found' },
  METHOD_NOT_ALLOWED: { code: 'method_not_allowed', status: 405, message: 'method not allowed' },
  INVALID_REQUEST_BODY: { code: 'invalid_request_body', status: 400, message: 'invalid request body' },
  BAD_REQUEST: { code: 'bad_request', status: 400, message: 'bad request' },
  VALIDATION_FAILED: { code: 'validation_failed', status: 400, message: 'request validation failed' },
  PAYLOAD_TOO_LARGE: { code: 'payload_too_large', status: 413, message: 'request body too large' },
  UNSUPPORTED_MEDIA_TYPE: {
    code: 'unsupported_media_type',
    status: 415,
    message: 'unsupported content type; send application/json',
  },
  REQUEST_TIMEOUT: {
    code: 'request_timeout',
    status: 408,
    message: 'the request did not arrive in time',
  },
  REQUEST_BODY_TOO_SLOW: {
    code: 'request_body_too_slow',
    status: 408,
    message: 'the request body arrived too slowly',
  },
  HEADERS_TOO_LARGE: {
    code: 'headers_too_large',
    status: 431,
    message: 'request headers too large',
  },
  TOO_MANY_CONNECTIONS: {
    code: 'too_many_connections',
    status: 429,
    message: 'too many open connections from this client address',
  },
  TOO_MANY_REQUESTS_IN_FLIGHT: {
    code: 'too_many_requests_in_flight',
    status: 429,
    message: 'too many requests in progress from this client address',
  },
  SERVER_BUSY: {
    code: 'server_busy',
    status: 503,
    message: 'the server has too many open connections',
  },
  INTERNAL: { code: 'internal_error', status: 500, message: 'internal server error' },
  SERVICE_UNAVAILABLE: {
    code: 'service_unavailable',
    status: 503,
    message: 'service temporarily unavailable',
  },

  MANAGEMENT_AUTH_MISSING: {
    code: 'missing_authorization',
    status: 401,
    message: 'missing or invalid Authorization header',
  },
  MANAGEMENT_TOKEN_INVALID: {
    code: 'invalid_management_token',
    status: 401,
    message: 'invalid management token',
  },
  MANAGEMENT_AUTH_LOCKED: {
    code: 'too_many_auth_failures',
    status: 429,
    message: 'too many failed management token attempts from this address; retry later',
  },

  INVALID_PROJECT_ID: { code: 'invalid_project_id', status: 400, message: 'invalid project id' },
  PROJECT_NOT_FOUND: { code: 'project_not_found', status: 404, message: 'project not found' },
  PROJECT_NAME_TAKEN: {
    code: 'project_name_taken',
    status: 409,
    message: 'a project with this name already exists',
  },
  PROJECT_INACTIVE: { code: 'project_inactive', status: 403, message: 'project is inactive' },
  PROJECT_DELETE_NOT_ALLOWED: {
    code: 'project_delete_not_allowed',
    status: 405,
    message: 'project deletion is not permitted',
  },
  UNKNOWN_PROVIDER: { code: 'unknown_provider', status: 400, message: 'unknown provider' },
  OBFUSCATED_API_KEY: {
    code: 'obfuscated_api_key',
    status: 400,
    message: 'cannot save obfuscated API key - please provide the full API key',
  },
  REVOKE_REQUIRES_DEACTIVATION: {
    code: 'revoke_tokens_requires_inactive',
    status: 400,
    message: 'revoke_tokens requires is_active=false',
  },

  INVALID_TOKEN_ID: { code: 'invalid_token_id', status: 400, message: 'invalid token id' },
  TOKEN_RECORD_NOT_FOUND: { code: 'token_record_not_found', status: 404, message: 'token not found' },
  NO_FIELDS_TO_UPDATE: { code: 'no_fields_to_update', status: 400, message: 'no fields to update' },
  TOKEN_REVOKED: {
    code: 'token_revoked',
    status: 409,
    message: 'a revoked token cannot be rotated; issue a new token instead',
  },

  INVALID_AUDIT_EVENT_ID: { code: 'invalid_audit_event_id', status: 400, message: 'invalid audit event id' },
  AUDIT_EVENT_NOT_FOUND: { code: 'audit_event_not_found', status: 404, message: 'audit event not found' },
  AUDIT_UNAVAILABLE: {
    code: 'audit_unavailable',
    status: 503,
    message: 'audit events not available (AUDIT_STORE_IN_DB is off)',
  },
  DATABASE_UNAVAILABLE: { code: 'database_unavailable', status: 503, message: 'database unavailable' },
  CACHE_DISABLED: { code: 'cache_disabled', status: 400, message: 'caching is disabled' },
  CACHE_STORE_UNAVAILABLE: {
    code: 'cache_store_unavailable',
    status: 503,
    message: 'the cache store is unavailable; retry the purge',
  },

  // The proxy (/v1): codes of the original program, answered in the OpenAI error shape.
  INVALID_TOKEN: { code: 'invalid_token', status: 401, message: 'missing or invalid authorization header' },
  TOKEN_NOT_FOUND: { code: 'token_not_found', status: 401, message: 'Token not found' },
  TOKEN_INACTIVE: { code: 'token_inactive', status: 401, message: 'Token is inactive' },
  TOKEN_EXPIRED: { code: 'token_expired', status: 401, message: 'Token has expired' },
  RATE_LIMIT_EXCEEDED: {
    code: 'rate_limit_exceeded',
    status: 429,
    message: 'Rate limit exceeded: the token has used all of its max_requests',
  },
  ENDPOINT_NOT_FOUND: { code: 'endpoint_not_found', status: 404, message: 'Endpoint not found' },
  // Another provider serves the path: the token's project is served by one that does not (an OpenAI
  // project's token on /v1/messages).
  ENDPOINT_NOT_SERVED: {
    code: 'endpoint_not_served',
    status: 404,
    message: "this project's provider does not serve this endpoint",
  },
  PARAM_NOT_ALLOWED: { code: 'param_not_allowed', status: 400, message: 'Parameter value is not allowed' },
  INVALID_JSON_BODY: { code: 'invalid_json', status: 400, message: 'request body is not valid JSON' },
  // A param_whitelist fails closed: a body it cannot check is refused, never passed unchecked.
  DUPLICATE_PARAM: {
    code: 'duplicate_param',
    status: 400,
    message: 'a parameter checked by param_whitelist occurs more than once',
  },
  INVALID_FORM_BODY: { code: 'invalid_form', status: 400, message: 'request body is not a valid form' },
  INVALID_CONTENT_ENCODING: {
    code: 'invalid_content_encoding',
    status: 400,
    message: 'request body could not be decoded as its Content-Encoding says',
  },
  UNSUPPORTED_CONTENT_ENCODING: {
    code: 'unsupported_content_encoding',
    status: 415,
    message: 'request body Content-Encoding cannot be checked against param_whitelist',
  },
  UNCHECKABLE_BODY: {
    code: 'uncheckable_body',
    status: 415,
    message: 'request body cannot be checked against param_whitelist',
  },
  ORIGIN_NOT_ALLOWED: { code: 'origin_not_allowed', status: 403, message: 'Origin not allowed' },
  ORIGIN_REQUIRED: { code: 'origin_required', status: 400, message: 'Origin header required' },
  UPSTREAM_UNREACHABLE: { code: 'upstream_unreachable', status: 502, message: 'upstream is unreachable' },
  UPSTREAM_TIMEOUT: { code: 'timeout', status: 504, message: 'upstream did not answer in time' },
  // The status is already sent when a stream breaks: the code and message end the stream as its last event.
  UPSTREAM_STREAM_ERROR: {
    code: 'upstream_stream_error',
    status: 502,
    message: 'upstream connection lost mid-stream',
  },
  // Never a response status: the body that replaces an upstream error body the proxy could not search for the
  // project's key (an unknown encoding, or over 1 MiB encoded); the upstream's status is kept.
  UPSTREAM_ERROR_WITHHELD: {
    code: 'upstream_error_withheld',
    status: 502,
    message: "upstream error body withheld: it could not be checked for the project's API key",
  },
  CACHE_ONLY_IF_CACHED: {
    code: 'not_cached',
    status: 504,
    message: 'no cached answer for this request (Cache-Control: only-if-cached)',
  },
  CIRCUIT_OPEN: {
    code: 'circuit_open',
    status: 503,
    message: 'Upstream unavailable (circuit breaker open)',
  },
  UPSTREAM_AUTH_ERROR: {
    code: 'upstream_auth_error',
    status: 503,
    message: 'Upstream authentication error: the project API key cannot be read',
  },
  PROVIDER_NOT_CONFIGURED: {
    code: 'provider_not_configured',
    status: 503,
    message: "the project's provider is not configured on this server",
  },

  ADMIN_FORM_REJECTED: {
    code: 'admin_form_rejected',
    status: 403,
    message: 'this form came from another site or its page has expired; reload the page and try again',
  },
  MANAGEMENT_API_UNREACHABLE: {
    code: 'management_api_unreachable',
    status: 502,
    message: 'the management API could not be reached',
  },
  ADMIN_SESSION_STORE_UNAVAILABLE: {
    code: 'admin_session_store_unavailable',
    status: 503,
    message: 'admin sessions cannot be reached right now; you are still signed in, try again in a moment',
  },
} as const satisfies Record<string, ErrorDefinition>;

/** The names of catalog entries. */
export type ErrorName = keyof typeof ERRORS;

/** Options for {@link AppError}. */
export interface AppErrorOptions {
  /** Replaces the catalog's default message (must stay free of secrets). */
  message?: string;
  /** Extra fields merged into the JSON error body. */
  details?: Record<string, unknown>;
  /** Extra response headers, e.g. `Allow`. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/** An error that knows how it is answered: catalog code, HTTP status and a safe message. */
export class AppError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(definition: ErrorDefinition, options: AppErrorOptions = {}) {
    super(options.message ?? definition.message, { cause: options.cause });
    this.name = 'AppError';
    this.code = definition.code;
    this.statusCode = definition.status;
    this.details = options.details;
    this.headers = options.headers;
  }
}

/** Narrows an unknown thrown value to an {@link AppError}. */
export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
