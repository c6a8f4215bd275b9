import type { DispatcherSnapshot } from './dispatcher-stats.js';

/** When a dispatcher reports itself unhealthy (`GET /health` answers 503). */
export interface DispatcherHealthRules {
  /** Every send has failed for longer than this: the backend is down or refuses us. @default 60000 */
  readonly sinkFailingMs: number;
  /**
   * Lag above which a dispatcher that delivers nothing counts as stalled. Above zero by default so that the
   * read-ahead of a sibling dispatcher of the group does not make an idle one look stuck. @default 1000
   */
  readonly maxLag: number;
  /** How long nothing may be delivered while the lag is above `maxLag`. @default 300000 (5 min) */
  readonly stalledMs: number;
}

/** A dispatcher's verdict on itself. */
export interface DispatcherHealth {
  readonly healthy: boolean;
  /** Why it is unhealthy; empty when healthy. */
  readonly problems: readonly string[];
}

/** The default {@link DispatcherHealthRules}. */
export const DEFAULT_HEALTH_RULES: DispatcherHealthRules = Object.freeze({
  sinkFailingMs: 60_000,
  maxLag: 1000,
  stalledMs: 300_000,
});

/**
 * Judges a snapshot: unhealthy when the bus does not answer, when the backend has failed every send for longer
 * than `sinkFailingMs`, or when more than `maxLag` events are pending and none was delivered for `stalledMs`
 * (counted from the start before the first delivery). A dispatcher with nothing to do is healthy.
 */
export function dispatcherHealth(
  snapshot: DispatcherSnapshot,
  rules: DispatcherHealthRules,
  now: number,
): DispatcherHealth {
  const problems: string[] = [];
  if (snapshot.lag === null) problems.push('the event bus does not answer');
  if (snapshot.failingSince !== null && now - snapshot.failingSince > rules.sinkFailingMs) {
    problems.push(
      `the ${snapshot.sink} backend has failed every send for ${seconds(now - snapshot.failingSince)}`,
    );
  }
  const quietFor = now - (snapshot.lastDeliveryAt ?? snapshot.startedAt);
  if (snapshot.lag !== null && snapshot.lag > rules.maxLag && quietFor > rules.stalledMs) {
    problems.push(`${String(snapshot.lag)} events pending and none delivered for ${seconds(quietFor)}`);
  }
  return { healthy: problems.length === 0, problems };
}

function seconds(ms: number): string {
  return `${String(Math.round(ms / 1000))} s`;
}
