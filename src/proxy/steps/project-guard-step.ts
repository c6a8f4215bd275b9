import { AppError, ERRORS } from '../../core/index.js';
import type { Authenticated } from '../request-state.js';

/** Refuses the tokens of a deactivated project (403 `project_inactive`; LLM_PROXY_ENFORCE_PROJECT_ACTIVE). */
export function projectGuardStep() {
  return function projectGuard(state: Authenticated): Authenticated {
    if (!state.project.isActive) throw new AppError(ERRORS.PROJECT_INACTIVE);
    return state;
  };
}
