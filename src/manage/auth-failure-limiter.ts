/** Options of {@link AuthFailureLimiter}. */
export interface AuthFailureLimiterOptions {
  /** Failed attempts from one address after which it is refused until its window ends; 0 turns limiting off. */
  readonly maxFailures: number;
  /** The window that starts with an address's first failure, and the longest it is refused, in ms. */
  readonly windowMs: number;
  /** Addresses tracked at most; the oldest is forgotten first, so a flood of addresses cannot exhaust memory. @default 10000 */
  readonly maxAddresses?: number;
}

interface FailureWindow {
  readonly startedAt: number;
  failures: number;
}

/**
 * Counts failed management-token attempts per client address in a fixed window. Memory is bounded: at most
 * `maxAddresses` windows are kept, in insertion order, and expired ones are dropped as new ones arrive.
 */
export class AuthFailureLimiter {
  private readonly windows = new Map<string, FailureWindow>();
  private readonly maxAddresses: number;

  constructor(private readonly options: AuthFailureLimiterOptions) {
    this.maxAddresses = options.maxAddresses ?? 10_000;
  }

  /** Milliseconds until the address may try again, or undefined when it is not locked out. */
  lockedFor(address: string, now: number): number | undefined {
    if (this.options.maxFailures <= 0) return undefined;
    const window = this.current(address, now);
    if (window === undefined || window.failures < this.options.maxFailures) return undefined;
    return window.startedAt + this.options.windowMs - now;
  }

  /** Counts one failed attempt of the address. */
  noteFailure(address: string, now: number): void {
    if (this.options.maxFailures <= 0) return;
    const window = this.current(address, now);
    if (window !== undefined) {
      window.failures += 1;
      return;
    }
    this.evict(now);
    this.windows.set(address, { startedAt: now, failures: 1 });
  }

  /** Forgets the address's failures (it presented the right token). */
  noteSuccess(address: string): void {
    this.windows.delete(address);
  }

  /** How many addresses are tracked (for tests of the memory bound). */
  get size(): number {
    return this.windows.size;
  }

  private current(address: string, now: number): FailureWindow | undefined {
    const window = this.windows.get(address);
    if (window === undefined) return undefined;
    if (now - window.startedAt < this.options.windowMs) return window;
    this.windows.delete(address);
    return undefined;
  }

  private evict(now: number): void {
    // Insertion order is start order: expired windows are at the front.
    for (const [address, window] of this.windows) {
      if (this.windows.size < this.maxAddresses && now - window.startedAt < this.options.windowMs) return;
      this.windows.delete(address);
    }
  }
}
