/** How a failed batch backs off. */
export interface RetryBackoff {
  /** Ceiling of the first wait; doubles with every retry (`DISPATCHER_RETRY_BASE`). @default 1000 */
  readonly baseMs: number;
  /** Largest ceiling, and the most a backend's Retry-After is honoured for (`DISPATCHER_RETRY_MAX`). @default 30000 */
  readonly maxMs: number;
}

/**
 * The wait before retry `retry` (0 for the first) of a failed batch: "full jitter" — a uniformly random time
 * between 0 and `min(maxMs, baseMs · 2^retry)` — so that dispatchers that lost one backend at the same moment do
 * not all knock again together (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
 * A backend's Retry-After is a floor, capped at `maxMs` so that one answer cannot park the dispatcher for hours.
 */
export function retryDelay(
  retry: number,
  backoff: RetryBackoff,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(retry, 30));
  const jittered = Math.round(random() * ceiling);
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs)) return jittered;
  return Math.max(jittered, Math.min(Math.max(0, retryAfterMs), backoff.maxMs));
}
