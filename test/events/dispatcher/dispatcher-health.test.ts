import { describe, expect, it } from 'vitest';

import { DEFAULT_HEALTH_RULES, dispatcherHealth } from '../../../src/events/index.js';
import type { DispatcherSnapshot } from '../../../src/events/index.js';

const T0 = Date.UTC(2025, 0, 2, 3, 0, 0);
const MINUTE = 60_000;

function snapshot(overrides: Partial<DispatcherSnapshot> = {}): DispatcherSnapshot {
  return {
    sink: 'file',
    delivered: 0,
    failed: 0,
    retried: 0,
    deadLettered: 0,
    rejected: 0,
    batches: 0,
    buffered: 0,
    lastDeliveryAt: null,
    failingSince: null,
    startedAt: T0,
    lag: 0,
    ...overrides,
  };
}

describe('dispatcher health', () => {
  it('an idle dispatcher with nothing pending is healthy, however long it waited', () => {
    expect(dispatcherHealth(snapshot(), DEFAULT_HEALTH_RULES, T0 + 60 * MINUTE)).toEqual({
      healthy: true,
      problems: [],
    });
  });

  it('is unhealthy once the backend has failed every send for longer than a minute', () => {
    const failing = snapshot({ failingSince: T0 + MINUTE });
    expect(dispatcherHealth(failing, DEFAULT_HEALTH_RULES, T0 + 2 * MINUTE).healthy).toBe(true);
    const verdict = dispatcherHealth(failing, DEFAULT_HEALTH_RULES, T0 + 2 * MINUTE + 1000);
    expect(verdict.healthy).toBe(false);
    expect(verdict.problems).toEqual(['the file backend has failed every send for 61 s']);
  });

  it('is unhealthy when more than maxLag events are pending and none was delivered for 5 minutes', () => {
    const rules = { ...DEFAULT_HEALTH_RULES, maxLag: 100 };
    const backlog = snapshot({ lag: 101, lastDeliveryAt: T0 });
    expect(dispatcherHealth(backlog, rules, T0 + 5 * MINUTE).healthy).toBe(true);
    expect(dispatcherHealth(backlog, rules, T0 + 5 * MINUTE + 1).problems).toEqual([
      '101 events pending and none delivered for 300 s',
    ]);
    // A lag within the threshold (a sibling's read-ahead) is not a stall.
    expect(dispatcherHealth(snapshot({ lag: 100 }), rules, T0 + 60 * MINUTE).healthy).toBe(true);
  });

  it('is unhealthy when the bus does not answer', () => {
    expect(dispatcherHealth(snapshot({ lag: null }), DEFAULT_HEALTH_RULES, T0).problems).toEqual([
      'the event bus does not answer',
    ]);
  });
});
