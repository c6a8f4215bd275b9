import type { Admission, QuotaGate } from '../../limits/index.js';
import { admitted } from '../request-state.js';
import type { Admitted, BreakerAdmitted } from '../request-state.js';
import type { StepResult } from '../step-runner.js';

/**
 * Counts the request against its token's `max_requests` (one atomic update; tokens without a quota are
 * admitted in the same tick). A refused request gives the circuit's trial back: it said nothing about the
 * upstream.
 */
export function quotaStep(quota: QuotaGate) {
  return function quotaCheck(state: BreakerAdmitted): StepResult<Admitted> {
    let pending: Admission | Promise<Admission>;
    try {
      pending = quota.admit(state.token);
    } catch (error) {
      releaseTrial(state);
      throw error;
    }
    if (!(pending instanceof Promise)) return admitted(state, pending);
    return pending.then(
      (admission) => admitted(state, admission),
      (error: unknown) => {
        releaseTrial(state);
        throw error;
      },
    );
  };
}

function releaseTrial(state: BreakerAdmitted): void {
  if (state.trial) state.breaker.release();
}
