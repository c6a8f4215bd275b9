import pino from 'pino';
import { describe, expect, it } from 'vitest';

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
