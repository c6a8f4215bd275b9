import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AuthFailureLimiter } from '../../src/manage/auth-failure-limiter.js';
import { ManualClock } from '../helpers/clock.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { AUTH, auditEvents, json } from '../helpers/management.js';

const WRONG = { authorization: 'Bearer not-the-management-token' };
const ATTACKER = '198.51.100.7';

describe('wrong management tokens are slowed, limited per client address and audited', () => {
  const clock = new ManualClock();
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({
      clock,
      listen: false,
      env: {
        MANAGEMENT_AUTH_MAX_FAILURES: '3',
        MANAGEMENT_AUTH_LOCKOUT: '1m',
        MANAGEMENT_AUTH_FAILURE_DELAY: '250ms',
      },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const from = (remoteAddress: string, headers: Record<string, string>) =>
    t.inject({ method: 'GET', url: '/manage/projects', headers, remoteAddress });

  it('delays each wrong token, then answers 429 with Retry-After, even to the right token', async () => {
    const started = performance.now();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const response = await from(ATTACKER, WRONG);
      expect(response.statusCode).toBe(401);
      expect(json(response).code).toBe('invalid_management_token');
    }
    // Three failures, each held back by the configured delay (timers never fire early).
    expect(performance.now() - started).toBeGreaterThanOrEqual(3 * 245);

    const locked = await from(ATTACKER, WRONG);
    expect(locked.statusCode).toBe(429);
    expect(json(locked)).toEqual({
      error: 'too many failed management token attempts from this address; retry later',
      code: 'too_many_auth_failures',
    });
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(60);
    // While locked out the token is not even compared: guessing right does not help.
    expect((await from(ATTACKER, AUTH)).statusCode).toBe(429);
    // A new X-Forwarded-For per attempt does not escape the limit: the peer address counts.
    expect((await from(ATTACKER, { ...WRONG, 'x-forwarded-for': '192.0.2.1' })).statusCode).toBe(429);
  });

  it('leaves other addresses alone', async () => {
    expect((await from('203.0.113.20', AUTH)).statusCode).toBe(200);
  });

  it('audits every failure and lockout as denied, never with the presented token', async () => {
    const { events } = await auditEvents(t, 'outcome=denied&page_size=100');
    const mine = events.filter((event) => event.client_ip === ATTACKER || event.client_ip === '192.0.2.1');
    expect(mine.filter((event) => String(event.reason).includes('invalid management token'))).toHaveLength(3);
    expect(mine.filter((event) => String(event.reason).includes('too many failed'))).toHaveLength(3);
    const everything = JSON.stringify(events) + JSON.stringify(await t.auditFileLines());
    expect(everything).not.toContain('not-the-management-token');
  });

  it('lets the address in again once the window has passed', async () => {
    clock.advance(61_000);
    expect((await from(ATTACKER, AUTH)).statusCode).toBe(200);
  });

  it('forgets the failures of an address that then presents the right token', async () => {
    const address = '203.0.113.30';
    for (let round = 0; round < 3; round += 1) {
      expect((await from(address, WRONG)).statusCode).toBe(401);
      expect((await from(address, WRONG)).statusCode).toBe(401);
      expect((await from(address, AUTH)).statusCode).toBe(200);
    }
  });

  it('does not count a missing Authorization header as a guess', async () => {
    const address = '203.0.113.40';
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await from(address, {})).statusCode).toBe(401);
    }
    expect((await from(address, AUTH)).statusCode).toBe(200);
  });
});

describe('the failure limiter', () => {
  it('keeps at most maxAddresses addresses, however many send wrong tokens', () => {
    const limiter = new AuthFailureLimiter({ maxFailures: 2, windowMs: 60_000, maxAddresses: 100 });
    for (let index = 0; index < 10_000; index += 1)
      limiter.noteFailure(`10.0.${index >> 8}.${index & 255}`, 1000);
    expect(limiter.size).toBeLessThanOrEqual(100);
    limiter.noteFailure('10.0.39.15', 1000);
    expect(limiter.lockedFor('10.0.39.15', 1000)).toBe(60_000);
  });

  it('is off with maxFailures 0', () => {
    const limiter = new AuthFailureLimiter({ maxFailures: 0, windowMs: 60_000 });
    for (let index = 0; index < 10; index += 1) limiter.noteFailure('10.0.0.1', 0);
    expect(limiter.lockedFor('10.0.0.1', 0)).toBeUndefined();
    expect(limiter.size).toBe(0);
  });
});
