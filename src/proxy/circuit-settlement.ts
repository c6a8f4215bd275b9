import type { BreakerAdmitted } from './request-state.js';

/**
 * Gives back the trials a request held when it ended without telling anything about the upstream: refused by
 * its quota, never dispatched, or its client left before the connection was made.
 */
export function releaseTrials(state: BreakerAdmitted): void {
  if (state.connectTrial) state.connectBreaker.release();
  if (state.projectTrial) state.projectBreaker.release();
}

/** The connection to the upstream was made: the upstream is reachable for everyone. */
export function settleConnected(state: BreakerAdmitted): void {
  state.connectBreaker.recordSuccess();
}

/** Connecting to the upstream failed: it is out of reach for everyone; the project's trial learnt nothing. */
export function settleConnectFailed(state: BreakerAdmitted): void {
  state.connectBreaker.recordFailure();
  if (state.projectTrial) state.projectBreaker.release();
}

/** The upstream answered: 502/503/504 count against the project's circuit, any other status closes it. */
export function settleAnswered(state: BreakerAdmitted, statusCode: number): void {
  if (statusCode === 502 || statusCode === 503 || statusCode === 504) state.projectBreaker.recordFailure();
  else state.projectBreaker.recordSuccess();
}

/** The request was sent but no answer came (reset, invalid HTTP, timeout): the project's own failure. */
export function settleUnanswered(state: BreakerAdmitted): void {
  state.projectBreaker.recordFailure();
}
