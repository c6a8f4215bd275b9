import { AppError, ERRORS, isWellFormedId } from '../core/index.js';
import type { ErrorDefinition } from '../core/index.js';

/** Returns the id when it is well-formed, else throws the given 400 error. */
export function requireWellFormedId(raw: string, invalid: ErrorDefinition): string {
  if (!isWellFormedId(raw)) throw new AppError(invalid);
  return raw;
}

/** A project id from a path or body; 400 `invalid project id` when malformed. */
export function requireProjectId(raw: string): string {
  return requireWellFormedId(raw, ERRORS.INVALID_PROJECT_ID);
}

/** A token record id from a path; 400 `invalid token id` when malformed. */
export function requireTokenId(raw: string): string {
  return requireWellFormedId(raw, ERRORS.INVALID_TOKEN_ID);
}
