import type { ProviderConfig } from '../../config/index.js';
import { answerPreflight } from '../preflight.js';
import { throwOnVerdict } from '../request-checks.js';
import type { RequestFacts } from '../request-state.js';
import { anyProviderVerdict } from '../route-policy.js';
import { ANSWERED } from '../step-runner.js';
import type { StepResult } from '../step-runner.js';

/**
 * Refuses a path that no provider serves, or a method none of them allows there, before the token is looked
 * at (as the original does); answers CORS preflights locally — they never reach a provider and need no token.
 */
export function routeAllowlistStep(providers: readonly ProviderConfig[]) {
  return function routeAllowlist(state: RequestFacts): StepResult<RequestFacts> {
    if (state.method === 'OPTIONS') {
      answerPreflight(state, providers);
      return ANSWERED;
    }
    throwOnVerdict(anyProviderVerdict(providers, state.method, state.path));
    return state;
  };
}
