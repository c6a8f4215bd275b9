import type { Admission, QuotaGate } from '../../limits/index.js';
import { releaseTrials } from '../circuit-settlement.js';
import { admitted } from '../request-state.js';
import type { Admitted, BreakerAdmitted } from '../request-state.js';
import type { StepResult } from '../step-runner.js';

/**
 * Counts the request against its token's `max_requests` (one atomic update; tokens without a quota are
 * admitted in the same tick). A refused request gives its circuits' trials back: it said nothing about the
 * upstream.
 */
export function quotaStep(quota: QuotaGate) {
  return function quotaCheck(state: BreakerAdmitted): StepResult<Admitted> {
    let pending: Admission | Promise<Admission>;
    try {
      pending = quota.admit(state.token);
    } catch (error) {
      releaseTrials(state);
      throw error;
    }
    if (!(pending instanceof Promise)) return admitted(state, pending);
    return pending.then(
      (admission) => admitted(state, admission),
      (error: unknown) => {
        releaseTrials(state);
        throw error;
      },
    );
  };
}
