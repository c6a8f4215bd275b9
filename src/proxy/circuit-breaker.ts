/** Options for {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. @default 5 */
  readonly failureThreshold?: number;
  /** How long the circuit stays open before one trial request is let through. @default 30000 */
  readonly cooldownMs?: number;
  readonly now: () => number;
}

/** What {@link CircuitBreaker.admit} decides. */
export type BreakerVerdict =
  | { readonly allowed: true; readonly trial: boolean }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

const ALLOWED: BreakerVerdict = { allowed: true, trial: false };
const TRIAL: BreakerVerdict = { allowed: true, trial: true };

/**
 * One circuit: opens after consecutive failures, then lets a single trial request through after the
 * cooldown; its success closes the circuit, its failure opens it again. What counts as a failure is decided by
 * the owner of the circuit (see provider-breakers.ts), never by the proxy's own refusals.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private trialInFlight = false;
  private readonly threshold: number;
  private readonly cooldownMs: number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.threshold = options.failureThreshold ?? 5;
    this.cooldownMs = options.cooldownMs ?? 30_000;
  }

  /** Whether a request may go now (and whether it is the circuit's one trial); when not, seconds to wait. */
  admit(): BreakerVerdict {
    if (this.failures < this.threshold) return ALLOWED;
    const now = this.options.now();
    if (now < this.openUntil || this.trialInFlight) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((this.openUntil - now) / 1000)) };
    }
    this.trialInFlight = true;
    return TRIAL;
  }

  /**
   * Gives back the trial request when it ended without telling anything about what the circuit watches —
   * refused by its quota, or its client left first — so that the next request can be the trial instead of
   * the circuit staying open for good.
   */
  release(): void {
    this.trialInFlight = false;
  }

  recordSuccess(): void {
    this.failures = 0;
    this.trialInFlight = false;
  }

  recordFailure(): void {
    this.failures += 1;
    this.trialInFlight = false;
    if (this.failures >= this.threshold) this.openUntil = this.options.now() + this.cooldownMs;
  }

  /** `closed`, `open` or `half-open` (a trial is allowed). */
  get state(): 'closed' | 'open' | 'half-open' {
    if (this.failures < this.threshold) return 'closed';
    return this.options.now() < this.openUntil ? 'open' : 'half-open';
  }
}
