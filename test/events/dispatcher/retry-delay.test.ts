import { describe, expect, it } from 'vitest';

import { retryDelay } from '../../../src/events/index.js';

const backoff = { baseMs: 100, maxMs: 1000 };

describe('retry delay', () => {
  it('is a random share of a ceiling that doubles per retry up to the maximum ("full jitter")', () => {
    const ceilings = [0, 1, 2, 3, 4, 10].map((retry) =>
      retryDelay(retry, backoff, undefined, () => 0.999_999),
    );
    expect(ceilings).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(retryDelay(3, backoff, undefined, () => 0)).toBe(0);
    expect(retryDelay(3, backoff, undefined, () => 0.5)).toBe(400);
  });

  it("waits at least the backend's Retry-After, but never longer than the maximum", () => {
    expect(retryDelay(0, backoff, 700, () => 0.5)).toBe(700);
    expect(retryDelay(3, backoff, 100, () => 0.999_999)).toBe(800);
    expect(retryDelay(0, backoff, 3_600_000, () => 0)).toBe(1000);
  });
});
