import type { ProviderConfig } from '../config/index.js';
import { epochMillis } from '../core/index.js';
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

/** The circuits a request to a provider passes, as the circuit-breaker step sees them. */
export interface CircuitSource {
  /** The provider's connect circuit, shared by every project. */
  connect(provider: ProviderConfig): CircuitBreaker;
  /** One project's circuit at a provider. */
  project(provider: ProviderConfig, projectId: string): CircuitBreaker;
}

/**
 * The circuits of every provider, created when first used. Each request passes two:
 *
 * - the provider's **connect circuit**, shared by every project, which counts only failures to connect
 *   (refused, DNS, connect timeout, TLS): they prove the upstream is out of reach for everyone. A request
 *   settles it the moment its connection is made or fails, so its half-open trial holds the others back for at
 *   most one connect timeout;
 * - the project's own **answer circuit** at that provider, which counts what happens after the request was
 *   sent: 502/503/504 answers, resets, invalid HTTP and timeouts. A tenant whose requests are slow, huge or
 *   refused by the upstream opens only its own circuit, never another project's.
 */
export class ProviderBreakers implements CircuitSource {
  private readonly connects = new Map<string, CircuitBreaker>();
  private readonly projects = new Map<string, Map<string, CircuitBreaker>>();
  private readonly now: () => number;

  constructor(private readonly options: ProviderBreakersOptions) {
    this.now = epochMillis(options.clock);
  }

  connect(provider: ProviderConfig): CircuitBreaker {
    let breaker = this.connects.get(provider.name);
    if (breaker === undefined) {
      breaker = this.create();
      this.connects.set(provider.name, breaker);
    }
    return breaker;
  }

  project(provider: ProviderConfig, projectId: string): CircuitBreaker {
    let byProject = this.projects.get(provider.name);
    if (byProject === undefined) {
      byProject = new Map();
      this.projects.set(provider.name, byProject);
    }
    let breaker = byProject.get(projectId);
    if (breaker === undefined) {
      breaker = this.create();
      byProject.set(projectId, breaker);
    }
    return breaker;
  }

  private create(): CircuitBreaker {
    return new CircuitBreaker({
      failureThreshold: this.options.failureThreshold,
      cooldownMs: this.options.cooldownMs,
      now: this.now,
    });
  }
}
