import type { FastifyReply, FastifyRequest } from 'fastify';

import type { AuditRecorder } from '../audit/index.js';
import { ERRORS } from '../core/index.js';
import type { AppError } from '../core/index.js';
import type { AuditOutcome } from '../store/index.js';
import { auditStateOf, requestFacts } from './request-context.js';
import type { RequestFacts } from './request-context.js';
import { MANAGEMENT_ACTOR } from './route-config.js';
import { RequestValidationError } from './validation.js';

const DENIED_CODES: ReadonlySet<string> = new Set([
  ERRORS.MANAGEMENT_AUTH_MISSING.code,
  ERRORS.MANAGEMENT_TOKEN_INVALID.code,
  ERRORS.MANAGEMENT_AUTH_LOCKED.code,
]);
/** The `origin` detail of calls the admin UI marks with `X-Admin-Origin: 1`. */
const ADMIN_UI_ORIGIN = 'admin-ui';

/** Notes an answered error in the request's audit state (the error handler calls it). */
export function noteAuditFailure(request: FastifyRequest, error: AppError): void {
  const state = auditStateOf(request);
  state.errorCode = error.code;
  state.reason ??= error.message;
  state.details.error_type ??= error.code;
  if (error instanceof RequestValidationError) {
    // The original's wording for a missing field, kept so existing audit queries still match.
    const missing = error.problems.some((problem) => problem.keyword === 'required');
    state.details.validation_error = missing ? 'missing required fields' : error.message;
  } else if (
    error.code === ERRORS.INVALID_REQUEST_BODY.code ||
    error.code === ERRORS.VALIDATION_FAILED.code
  ) {
    state.details.validation_error = error.message;
  }
}

/**
 * An `onSend` hook that records the route's audit event. It runs for successes and errors alike, only queues
 * the event (no I/O) and therefore never delays or fails the response.
 */
export function createAuditHook(
  recorder: AuditRecorder,
): (request: FastifyRequest, reply: FastifyReply, payload: unknown) => Promise<unknown> {
  return function recordManagementAudit(request, reply, payload) {
    const action = request.routeOptions.config.auditAction;
    if (action !== undefined) {
      const state = auditStateOf(request);
      const facts = requestFacts(request, reply);
      recorder.record({
        action,
        actor: MANAGEMENT_ACTOR,
        outcome: outcomeOf(reply.statusCode, state.errorCode),
        projectId: state.projectId,
        requestId: facts.requestId,
        correlationId: facts.correlationId,
        clientIp: facts.clientIp,
        method: facts.method,
        path: facts.path,
        userAgent: facts.userAgent,
        reason: state.reason,
        tokenId: state.tokenId,
        details: withForwardedFacts(state.details, facts),
      });
    }
    return Promise.resolve(payload);
  };
}

/** The original's forwarded browser facts, as details keys: `referer`, and `origin: "admin-ui"`. */
function withForwardedFacts(details: Record<string, unknown>, facts: RequestFacts): Record<string, unknown> {
  if (facts.referer === undefined && !facts.fromAdminUi) return details;
  return {
    ...details,
    ...(facts.referer !== undefined && { referer: facts.referer }),
    ...(facts.fromAdminUi && { origin: ADMIN_UI_ORIGIN }),
  };
}

function outcomeOf(status: number, errorCode: string | undefined): AuditOutcome {
  if (errorCode !== undefined && DENIED_CODES.has(errorCode)) return 'denied';
  if (status >= 500) return 'error';
  if (status >= 400) return 'failure';
  return 'success';
}
