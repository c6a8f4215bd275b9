import type { ProviderConfig } from '../../config/index.js';
import { AppError, ERRORS } from '../../core/index.js';
import type { CircuitBreaker } from '../circuit-breaker.js';
import { breakerAdmitted } from '../request-state.js';
import type { BreakerAdmitted, Routed } from '../request-state.js';

/** Refuses requests while the provider's circuit is open (503 `circuit_open` with `Retry-After`). */
export function circuitBreakerStep(breakerFor: (provider: ProviderConfig) => CircuitBreaker) {
  return function circuitBreaker(state: Routed): BreakerAdmitted {
    const breaker = breakerFor(state.provider);
    // Admitted while the circuit is not closed, a request is its one trial.
    const trial = breaker.state !== 'closed';
    const admitted = breaker.admit();
    if (!admitted.allowed) {
      throw new AppError(ERRORS.CIRCUIT_OPEN, {
        headers: { 'retry-after': String(admitted.retryAfterSeconds) },
      });
    }
    return breakerAdmitted(state, breaker, trial);
  };
}
