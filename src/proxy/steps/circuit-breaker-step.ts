import { AppError, ERRORS } from '../../core/index.js';
import type { CircuitSource } from '../provider-breakers.js';
import { breakerAdmitted } from '../request-state.js';
import type { BreakerAdmitted, Routed } from '../request-state.js';

/**
 * Refuses requests while the provider's connect circuit or the project's own circuit at that provider is open
 * (503 `circuit_open` with `Retry-After`); see provider-breakers.ts for what opens each.
 */
export function circuitBreakerStep(breakers: CircuitSource) {
  return function circuitBreaker(state: Routed): BreakerAdmitted {
    const connect = breakers.connect(state.provider);
    const viaConnect = connect.admit();
    if (!viaConnect.allowed) throw circuitOpen(viaConnect.retryAfterSeconds);
    const project = breakers.project(state.provider, state.project.id);
    const viaProject = project.admit();
    if (!viaProject.allowed) {
      if (viaConnect.trial) connect.release();
      throw circuitOpen(viaProject.retryAfterSeconds);
    }
    return breakerAdmitted(state, connect, viaConnect.trial, project, viaProject.trial);
  };
}

function circuitOpen(retryAfterSeconds: number): AppError {
  return new AppError(ERRORS.CIRCUIT_OPEN, { headers: { 'retry-after': String(retryAfterSeconds) } });
}
