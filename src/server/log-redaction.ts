import type { Logger } from '../core/index.js';

const CENSOR = '[redacted]';

/**
 * Log paths that may hold secrets. Fastify's default serializers log neither headers nor bodies, so these are a
 * safety net for code that logs a request, its headers or a body by mistake.
 */
export const REDACTED_LOG_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'api_key',
  'apiKey',
  'token',
  'managementToken',
  'management_token',
  '*.api_key',
  '*.apiKey',
  '*.token',
  '*.authorization',
  '*.managementToken',
  'body',
  '*.body',
];

/** A child of the given logger that censors secret-bearing fields in everything logged through it. */
export function redactingLogger(logger: Logger): Logger {
  return logger.child({}, { redact: { paths: [...REDACTED_LOG_PATHS], censor: CENSOR } });
}
