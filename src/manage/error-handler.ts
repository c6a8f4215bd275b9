import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

import { AppError, ERRORS, isAppError } from '../core/index.js';
import { databaseUnavailableError, isDatabaseUnavailable } from '../store/index.js';

/** Fastify's own error codes and the catalog entries they are answered with. */
const FASTIFY_ERRORS: Readonly<Record<string, (typeof ERRORS)[keyof typeof ERRORS]>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ERRORS.PAYLOAD_TOO_LARGE,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ERRORS.UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ERRORS.INVALID_REQUEST_BODY,
  FST_ERR_CTP_EMPTY_JSON_BODY: ERRORS.INVALID_REQUEST_BODY,
  FST_ERR_CTP_INVALID_JSON_BODY: ERRORS.INVALID_REQUEST_BODY,
  FST_ERR_NOT_FOUND: ERRORS.NOT_FOUND,
  FST_ERR_BAD_URL: ERRORS.BAD_REQUEST,
};

/** Called with every error answered, e.g. to note it in the request's audit event. */
export type ErrorObserver = (request: FastifyRequest, error: AppError) => void;

/**
 * Turns anything thrown into a catalog {@link AppError}: ours pass through, Fastify's are mapped, a database
 * that is lost, full or read-only becomes 503 with `Retry-After`, anything else a 500 whose cause stays in the
 * log and never reaches the client.
 */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (isDatabaseUnavailable(error)) return databaseUnavailableError(error);
  if (!isFastifyError(error)) return new AppError(ERRORS.INTERNAL, { cause: error });
  const mapped = FASTIFY_ERRORS[error.code];
  if (mapped) return new AppError(mapped, { cause: error });
  if (error.validation)
    return new AppError(ERRORS.VALIDATION_FAILED, { message: error.message, cause: error });
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new AppError(ERRORS.BAD_REQUEST, { cause: error });
  return new AppError(ERRORS.INTERNAL, { cause: error });
}

/** Sends the `{"error","code"}` JSON envelope (plus the error's extra fields and headers). */
export function sendAppError(reply: FastifyReply, error: AppError): FastifyReply {
  const extra = { ...error.details };
  delete extra.error;
  delete extra.code;
  if (error.headers) void reply.headers(error.headers);
  return reply
    .code(error.statusCode)
    .type('application/json; charset=utf-8')
    .send({ error: error.message, code: error.code, ...extra });
}

/** Builds the error handler of a JSON surface: one place that turns errors into responses. */
export function createJsonErrorHandler(
  observe?: ErrorObserver,
): (error: unknown, request: FastifyRequest, reply: FastifyReply) => FastifyReply {
  return function jsonErrorHandler(error, request, reply) {
    const appError = toAppError(error);
    if (appError.statusCode >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.info({ code: appError.code, message: appError.message }, 'request rejected');
    }
    observe?.(request, appError);
    return sendAppError(reply, appError);
  };
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as Partial<FastifyError>).code === 'string';
}
