import { presentedToken } from '../request-checks.js';
import { authenticated } from '../request-state.js';
import type { Authenticated, RequestFacts } from '../request-state.js';
import type { StepResult } from '../step-runner.js';
import type { ProxyCredentials, TokenAuthority } from '../../tokens/index.js';

/**
 * Checks the presented token (`Authorization: Bearer` or `x-api-key`): format, existence, active, expiry. A
 * cached token is decided in the same tick; only an unknown one waits for the database.
 */
export function tokenStep(authority: TokenAuthority) {
  return function token(state: RequestFacts): StepResult<Authenticated> {
    const secret = presentedToken(state.req.headers);
    const cached = authority.authenticateCached(secret);
    if (cached !== undefined) return authenticated(state, cached.token, cached.project);
    return authority
      .authenticate(secret)
      .then((credentials: ProxyCredentials) => authenticated(state, credentials.token, credentials.project));
  };
}
