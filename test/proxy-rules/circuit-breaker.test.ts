import { describe, expect, it } from 'vitest';

import { CircuitBreaker } from '../../src/proxy/index.js';

describe('circuit breaker', () => {
  it('opens after consecutive failures, lets one trial through after the cooldown and closes on success', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000, now: () => now });
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.admit()).toEqual({ allowed: true });
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.admit()).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now = 1000;
    expect(breaker.admit()).toEqual({ allowed: true });
    expect(breaker.admit().allowed).toBe(false);
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
    expect(breaker.admit()).toEqual({ allowed: true });
  });

  it('reopens when the trial fails, and a success in between resets the count', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 500, now: () => now });
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordFailure();
    expect(breaker.state).toBe('closed');
    breaker.recordFailure();
    now = 500;
    expect(breaker.admit().allowed).toBe(true);
    breaker.recordFailure();
    expect(breaker.admit()).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });
});
