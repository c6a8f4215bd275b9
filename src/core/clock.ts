/** Source of the current time; injected so tests can control it. */
export interface Clock {
  now(): Date;
}

/** The real wall clock. */
export const systemClock: Clock = {
  now: () => new Date(),
};

/**
 * A clock's time as epoch milliseconds, for the hot path: `Date.now` itself for the system clock, so that
 * reading the time allocates no Date.
 */
export function epochMillis(clock: Clock): () => number {
  return clock === systemClock ? Date.now : () => clock.now().getTime();
}
