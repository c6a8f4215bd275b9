import type { ProviderConfig } from '../config/index.js';
import type { Clock } from '../core/index.js';
import { CircuitBreaker } from './circuit-breaker.js';

/** Options of {@link ProviderBreakers}. */
export interface ProviderBreakersOptions {
  /** CIRCUIT_BREAKER_THRESHOLD. */
  readonly failureThreshold: number;
  /** CIRCUIT_BREAKER_COOLDOWN. */
  readonly cooldownMs: number;
  readonly clock: Clock;
}

/** One circuit breaker per provider, created when the provider is first used. */
export class ProviderBreakers {
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly now: () => number;

  constructor(private readonly options: ProviderBreakersOptions) {
    const { clock } = options;
    this.now = () => clock.now().getTime();
  }

  /** The breaker of a provider. */
  for(provider: ProviderConfig): CircuitBreaker {
    let breaker = this.breakers.get(provider.name);
    if (breaker === undefined) {
      breaker = new CircuitBreaker({
        failureThreshold: this.options.failureThreshold,
        cooldownMs: this.options.cooldownMs,
        now: this.now,
      });
      this.breakers.set(provider.name, breaker);
    }
    return breaker;
  }
}
