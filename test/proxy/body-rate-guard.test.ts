import { performance } from 'node:perf_hooks';

import { describe, expect, it } from 'vitest';

import { BodyRateGuard } from '../../src/proxy/body-rate-guard.js';
import type { WatchedBody } from '../../src/proxy/body-rate-guard.js';

/** A body whose bytes and state the test sets; it records whether it was cut. */
function body(): WatchedBody & { bytes: number; waiting: boolean; cut: boolean } {
  return {
    bytes: 0,
    waiting: true,
    cut: false,
    received() {
      return this.bytes;
    },
    waitingForClient() {
      return this.waiting;
    },
    tooSlow() {
      this.cut = true;
    },
  };
}

describe('body rate guard', () => {
  const guard = (): BodyRateGuard => new BodyRateGuard({ minBytesPerSecond: 1000, periodMs: 2000 });

  it('cuts a body that brings less than the minimum in a period, and only after the period', () => {
    const rate = guard();
    const slow = body();
    const unwatch = rate.watch(slow);
    const start = performance.now();
    slow.bytes = 500;
    rate.check(start + 1500);
    expect(slow.cut).toBe(false);
    rate.check(start + 2100);
    expect(slow.cut).toBe(true);
    unwatch();
  });

  it('measures each period on its own: a fast start does not pay for a stall later', () => {
    const rate = guard();
    const stalled = body();
    const unwatch = rate.watch(stalled);
    const start = performance.now();
    stalled.bytes = 100_000;
    rate.check(start + 2100);
    expect(stalled.cut).toBe(false);
    rate.check(start + 4300);
    expect(stalled.cut).toBe(true);
    unwatch();
  });

  it('does not count time the proxy itself is not reading (a slow upstream taking a streamed body)', () => {
    const rate = guard();
    const paused = body();
    const unwatch = rate.watch(paused);
    const start = performance.now();
    paused.waiting = false;
    rate.check(start + 1900);
    rate.check(start + 3900);
    expect(paused.cut).toBe(false);
    paused.waiting = true;
    rate.check(start + 5000);
    expect(paused.cut).toBe(false);
    rate.check(start + 6000);
    expect(paused.cut).toBe(true);
    unwatch();
  });
});
