import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';

import { systemClock } from '../../src/core/index.js';
import { RequestCountBatcher } from '../../src/limits/index.js';
import type { TokenUsage } from '../../src/store/index.js';

describe('request-count batcher', () => {
  it('writes one batched count per token and keeps counts of a failed write for the next flush', async () => {
    const writes: TokenUsage[][] = [];
    let failNext = true;
    const batcher = new RequestCountBatcher({
      tokens: {
        addUsage(usage) {
          if (failNext) {
            failNext = false;
            return Promise.reject(new Error('database down'));
          }
          writes.push([...usage]);
          return Promise.resolve();
        },
      },
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      flushIntervalMs: 60_000,
    });
    batcher.record('a');
    batcher.record('a');
    batcher.record('b');
    await batcher.flush();
    expect(writes).toEqual([]);
    batcher.record('a');
    await batcher.close();
    const counts = Object.fromEntries(writes.flat().map((entry) => [entry.id, entry.requests]));
    expect(counts).toEqual({ a: 3, b: 1 });
  });
});

describe('request-count batcher flush threshold', () => {
  it('writes as soon as the threshold is pending, without waiting for the interval', async () => {
    const writes: TokenUsage[][] = [];
    const batcher = new RequestCountBatcher({
      tokens: {
        addUsage(usage) {
          writes.push([...usage]);
          return Promise.resolve();
        },
      },
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      flushIntervalMs: 3_600_000,
      flushThreshold: 3,
    });
    batcher.record('a');
    batcher.record('b');
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual([]);
    batcher.record('a');
    await vi.waitFor(() => {
      expect(writes).toHaveLength(1);
    });
    expect(Object.fromEntries(writes[0]?.map((e) => [e.id, e.requests]) ?? [])).toEqual({ a: 2, b: 1 });
    // The count starts again after a write: two more are not enough.
    batcher.record('a');
    batcher.record('a');
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toHaveLength(1);
    await batcher.close();
    expect(writes).toHaveLength(2);
  });
});

describe('request-count batcher while the database refuses writes', () => {
  it('does not retry on every request past the threshold; the next flush writes everything', async () => {
    let attempts = 0;
    let down = true;
    const written: TokenUsage[] = [];
    const batcher = new RequestCountBatcher({
      tokens: {
        addUsage(usage) {
          attempts += 1;
          if (down) return Promise.reject(new Error('database down'));
          written.push(...usage);
          return Promise.resolve();
        },
      },
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      flushIntervalMs: 3_600_000,
      flushThreshold: 2,
    });
    batcher.record('a');
    batcher.record('a');
    await vi.waitFor(() => {
      expect(attempts).toBe(1);
    });
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 10; i += 1) batcher.record('a');
    await new Promise((resolve) => setImmediate(resolve));
    expect(attempts).toBe(1);
    down = false;
    await batcher.close();
    expect(written.reduce((sum, entry) => sum + entry.requests, 0)).toBe(12);
  });
});
