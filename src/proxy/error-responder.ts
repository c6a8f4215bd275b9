import { AppError, ERRORS, isAppError } from '../core/index.js';
import { databaseUnavailableError, isDatabaseUnavailable } from '../store/index.js';
import { proxyErrorAnswer } from './error-answer.js';
import type { RequestFacts } from './request-state.js';

/**
 * The one place a refused or failed `/v1` request is answered: whatever a step threw or rejected with becomes
 * an error in the route's shape — OpenAI's, or Anthropic's on Anthropic routes — played through the response
 * taps like any other answer. A database that is lost, full or read-only (a token lookup or a quota count
 * failed) becomes 503 `database_unavailable` with `Retry-After`; anything unexpected a 500 whose cause is
 * logged, never shown.
 */
export function respondWithError(state: RequestFacts, error: unknown): void {
  const appError = isAppError(error)
    ? error
    : isDatabaseUnavailable(error)
      ? databaseUnavailableError(error)
      : new AppError(ERRORS.INTERNAL, { cause: error });
  if (appError.statusCode >= 500) {
    state.logger.warn(
      { requestId: state.requestId, code: appError.code, err: appError.cause ?? appError },
      'proxy request failed',
    );
  }
  state.answerLocally(proxyErrorAnswer(appError, state.errorFormat()), 'proxy', appError.code);
}
