import { describe, expect, it } from 'vitest';

import { CircuitBreaker } from '../../src/proxy/index.js';
import { isConnectFailure } from '../../src/proxy/upstream-errors.js';

describe('circuit breaker', () => {
  it('opens after consecutive failures, lets one trial through after the cooldown and closes on success', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000, now: () => now });
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.admit()).toEqual({ allowed: true, trial: false });
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.admit()).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now = 1000;
    expect(breaker.admit()).toEqual({ allowed: true, trial: true });
    expect(breaker.admit().allowed).toBe(false);
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
    expect(breaker.admit()).toEqual({ allowed: true, trial: false });
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
    expect(breaker.admit()).toEqual({ allowed: true, trial: true });
    breaker.recordFailure();
    expect(breaker.admit()).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('lets the next request be the trial when the trial is given back', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 100, now: () => now });
    breaker.recordFailure();
    now = 100;
    expect(breaker.admit()).toEqual({ allowed: true, trial: true });
    expect(breaker.admit().allowed).toBe(false);
    breaker.release();
    expect(breaker.admit()).toEqual({ allowed: true, trial: true });
  });
});

describe('connect failures', () => {
  const failure = (code: string | undefined): Error => Object.assign(new Error('x'), { code });

  it('are system errors of the connection and undici connect errors, never undici refusals of the request', () => {
    for (const code of [
      'ECONNREFUSED',
      'ENOTFOUND',
      'EAI_AGAIN',
      'ECONNRESET',
      'UND_ERR_CONNECT_TIMEOUT',
      'UND_ERR_SOCKET',
      'CERT_HAS_EXPIRED',
    ]) {
      expect(isConnectFailure(failure(code))).toBe(true);
    }
    for (const code of [
      'UND_ERR_INVALID_ARG',
      'UND_ERR_NOT_SUPPORTED',
      'UND_ERR_CLOSED',
      'UND_ERR_DESTROYED',
      undefined,
    ]) {
      expect(isConnectFailure(failure(code))).toBe(false);
    }
  });
});
