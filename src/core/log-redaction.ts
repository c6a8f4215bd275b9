/**
 * Log paths that may hold secrets, censored wherever they appear in a log line. Fastify's serializers log
 * neither headers nor bodies, so these are a safety net for code that logs a request, headers or a body.
 */
export const REDACTED_LOG_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["api-key"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'authorization',
  'api_key',
  'apiKey',
  'token',
  'managementToken',
  'management_token',
  'encryptionKey',
  '*.api_key',
  '*.apiKey',
  '*.token',
  '*.authorization',
  '*.managementToken',
  '*.encryptionKey',
  'body',
  '*.body',
];

/** What censored values are replaced with. */
export const REDACTION_CENSOR = '[redacted]';
