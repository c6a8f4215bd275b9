/** Options for {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive upstream failures that open the circuit. @default 5 */
  readonly failureThreshold?: number;
  /** How long the circuit stays open before one trial request is let through. @default 30000 */
  readonly cooldownMs?: number;
  readonly now: () => number;
}

const ALLOWED = { allowed: true } as const;

/**
 * One provider's circuit: opens after consecutive upstream failures (transport errors, timeouts, 502/503/504
 * from the upstream — never the proxy's own refusals), then lets a single trial request through after the
 * cooldown; its success closes the circuit, its failure opens it again.
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

  /** Whether a request may go upstream now; when false, seconds until the next trial. */
  admit(): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    if (this.failures < this.threshold) return ALLOWED;
    const now = this.options.now();
    if (now < this.openUntil || this.trialInFlight) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((this.openUntil - now) / 1000)) };
    }
    this.trialInFlight = true;
    return ALLOWED;
  }

  /**
   * Gives back the trial request (the one admitted while not closed) when it ended without telling anything
   * about the upstream — refused by its quota, or its client left before the answer — so that the next
   * request can be the trial instead of the circuit staying open for good.
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
