import { describe, expect, it } from 'vitest';

import type { CachedResponse } from '../../../src/cache/cached-response.js';
import type { Freshness } from '../../../src/cache/cache-policy.js';
import { freshness } from '../../../src/cache/cache-policy.js';

const STORED_AT = Date.UTC(2026, 11, 1, 10, 0, 0);

/** An entry stored at STORED_AT for `ttlMs`. */
function entry(ttlMs: number): CachedResponse {
  return {
    kind: 'response',
    status: 200,
    headers: { 'content-type': 'application/json' },
    chunks: [Buffer.from('{}')],
    storedAt: STORED_AT,
    expiresAt: STORED_AT + ttlMs,
    origin: { scope: 'p1', provider: 'openai', method: 'GET', url: '/v1/models' },
  };
}

describe('freshness of a stored answer', () => {
  const table: [string, number, number | undefined, number, Freshness][] = [
    // name, ttlMs, client max-age (ms), ms after storing, expected
    ['just stored', 60_000, undefined, 0, { fresh: true, ageSeconds: 0, ttlSeconds: 60 }],
    ['mid-life, ttl rounds up', 60_000, undefined, 41_500, { fresh: true, ageSeconds: 41, ttlSeconds: 19 }],
    [
      'one millisecond before expiry',
      60_000,
      undefined,
      59_999,
      { fresh: true, ageSeconds: 59, ttlSeconds: 1 },
    ],
    ['at expiry it is stale', 60_000, undefined, 60_000, { fresh: false, ageSeconds: 60, ttlSeconds: 0 }],
    [
      'long after expiry ttl stays 0',
      60_000,
      undefined,
      600_000,
      { fresh: false, ageSeconds: 600, ttlSeconds: 0 },
    ],
    ['within the client max-age', 60_000, 30_000, 30_000, { fresh: true, ageSeconds: 30, ttlSeconds: 30 }],
    [
      'older than the client max-age',
      60_000,
      30_000,
      30_001,
      { fresh: false, ageSeconds: 30, ttlSeconds: 30 },
    ],
    [
      'a client max-age longer than the TTL does not extend it',
      60_000,
      600_000,
      60_000,
      {
        fresh: false,
        ageSeconds: 60,
        ttlSeconds: 0,
      },
    ],
    [
      'a client max-age of 0 accepts only an answer of this very moment',
      60_000,
      0,
      1,
      {
        fresh: false,
        ageSeconds: 0,
        ttlSeconds: 60,
      },
    ],
    [
      'stored "in the future" by a clock ahead of ours has age 0',
      60_000,
      1_000,
      -5_000,
      {
        fresh: true,
        ageSeconds: 0,
        ttlSeconds: 65,
      },
    ],
  ];

  it.each(table)('%s', (_name, ttlMs, maxAgeMs, elapsedMs, expected) => {
    expect(freshness(entry(ttlMs), { maxAgeMs }, STORED_AT + elapsedMs)).toEqual(expected);
  });
});
