import { describe, expect, it } from 'vitest';

import type { CacheSignal } from '../../../src/cache/cache-signals.js';
import {
  collapsedSignal,
  conditionalHitSignal,
  forwardSignal,
  hitSignal,
  onlyIfCachedSignal,
  revalidatedSignal,
} from '../../../src/cache/cache-signals.js';

describe('X-PROXY-CACHE and Cache-Status (RFC 9211)', () => {
  const table: [string, CacheSignal, CacheSignal][] = [
    ['a hit', hitSignal(42), { outcome: 'hit', cacheStatus: 'llm-proxy; hit; ttl=42' }],
    ['a hit on its last second', hitSignal(0), { outcome: 'hit', cacheStatus: 'llm-proxy; hit; ttl=0' }],
    [
      'a hit with a fractional ttl is truncated to an integer',
      hitSignal(41.9),
      {
        outcome: 'hit',
        cacheStatus: 'llm-proxy; hit; ttl=41',
      },
    ],
    [
      'a hit with a ttl that is no number leaves ttl out',
      hitSignal(Number.NaN),
      { outcome: 'hit', cacheStatus: 'llm-proxy; hit' },
    ],
    [
      'a conditional hit',
      conditionalHitSignal(42),
      {
        outcome: 'conditional-hit',
        cacheStatus: 'llm-proxy; hit; ttl=42; detail=not-modified',
      },
    ],
    [
      'a revalidated hit',
      revalidatedSignal(42),
      {
        outcome: 'hit',
        cacheStatus: 'llm-proxy; fwd=request; fwd-status=304; ttl=42',
      },
    ],
    ['a miss', forwardSignal('uri-miss', false), { outcome: 'miss', cacheStatus: 'llm-proxy; fwd=uri-miss' }],
    [
      'a miss, stored',
      forwardSignal('uri-miss', true, 60),
      {
        outcome: 'stored',
        cacheStatus: 'llm-proxy; fwd=uri-miss; stored; ttl=60',
      },
    ],
    [
      'a miss, stored without a ttl',
      forwardSignal('uri-miss', true),
      {
        outcome: 'stored',
        cacheStatus: 'llm-proxy; fwd=uri-miss; stored',
      },
    ],
    [
      'a miss, not stored, with the reason',
      forwardSignal('uri-miss', false, undefined, 'not-public'),
      {
        outcome: 'miss',
        cacheStatus: 'llm-proxy; fwd=uri-miss; detail=not-public',
      },
    ],
    [
      'a vary miss',
      forwardSignal('vary-miss', false),
      { outcome: 'miss', cacheStatus: 'llm-proxy; fwd=vary-miss' },
    ],
    [
      'a stale entry refreshed',
      forwardSignal('stale', true, 30),
      {
        outcome: 'stored',
        cacheStatus: 'llm-proxy; fwd=stale; stored; ttl=30',
      },
    ],
    [
      'a revalidation request, stored, with a detail',
      forwardSignal('request', true, 30, 'no-cache'),
      {
        outcome: 'stored',
        cacheStatus: 'llm-proxy; fwd=request; stored; ttl=30; detail=no-cache',
      },
    ],
    [
      'a bypass',
      forwardSignal('bypass', false, undefined, 'no-opt-in'),
      {
        outcome: 'bypass',
        cacheStatus: 'llm-proxy; fwd=bypass; detail=no-opt-in',
      },
    ],
    [
      'a bypass without a detail',
      forwardSignal('bypass', false),
      { outcome: 'bypass', cacheStatus: 'llm-proxy; fwd=bypass' },
    ],
    [
      'another method',
      forwardSignal('method', false, undefined, 'method'),
      {
        outcome: 'bypass',
        cacheStatus: 'llm-proxy; fwd=method; detail=method',
      },
    ],
    [
      'a detail that is not a token is quoted',
      forwardSignal('uri-miss', false, undefined, 'too large'),
      {
        outcome: 'miss',
        cacheStatus: 'llm-proxy; fwd=uri-miss; detail="too large"',
      },
    ],
    [
      'a detail starting with a digit is quoted',
      forwardSignal('uri-miss', false, undefined, '5xx'),
      {
        outcome: 'miss',
        cacheStatus: 'llm-proxy; fwd=uri-miss; detail="5xx"',
      },
    ],
    [
      'quotes and backslashes are escaped, non-ASCII replaced',
      forwardSignal('uri-miss', false, 3, 'say "hi"\\é\n'),
      {
        outcome: 'miss',
        cacheStatus: 'llm-proxy; fwd=uri-miss; ttl=3; detail="say \\"hi\\"\\\\??"',
      },
    ],
    [
      'an empty detail is quoted',
      forwardSignal('uri-miss', false, undefined, ''),
      {
        outcome: 'miss',
        cacheStatus: 'llm-proxy; fwd=uri-miss; detail=""',
      },
    ],
    [
      'a token may hold : / and *',
      forwardSignal('uri-miss', false, undefined, '*a:b/c'),
      {
        outcome: 'miss',
        cacheStatus: 'llm-proxy; fwd=uri-miss; detail=*a:b/c',
      },
    ],
    [
      'a collapsed request',
      collapsedSignal(),
      { outcome: 'collapsed', cacheStatus: 'llm-proxy; fwd=uri-miss; collapsed' },
    ],
    [
      'a collapsed request whose answer was stored',
      collapsedSignal(60),
      {
        outcome: 'collapsed',
        cacheStatus: 'llm-proxy; fwd=uri-miss; collapsed; ttl=60',
      },
    ],
    [
      'only-if-cached with nothing stored',
      onlyIfCachedSignal(),
      {
        outcome: 'miss',
        cacheStatus: 'llm-proxy; fwd=miss; detail=only-if-cached',
      },
    ],
  ];

  it.each(table)('%s', (_name, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  it('builds the signals without a number once and shares them', () => {
    expect(forwardSignal('uri-miss', false)).toBe(forwardSignal('uri-miss', false));
    expect(forwardSignal('bypass', false, undefined, 'no-opt-in')).toBe(
      forwardSignal('bypass', false, undefined, 'no-opt-in'),
    );
    expect(collapsedSignal()).toBe(collapsedSignal());
    expect(onlyIfCachedSignal()).toBe(onlyIfCachedSignal());
    expect(Object.isFrozen(forwardSignal('stale', true))).toBe(true);
  });

  it('keeps building correct signals once it stops remembering new details', () => {
    for (let index = 0; index < 200; index += 1) {
      expect(forwardSignal('vary-miss', false, undefined, `d${index}`).cacheStatus).toBe(
        `llm-proxy; fwd=vary-miss; detail=d${index}`,
      );
    }
    expect(forwardSignal('vary-miss', false, undefined, 'd199').cacheStatus).toBe(
      'llm-proxy; fwd=vary-miss; detail=d199',
    );
  });

  it('rejects a fwd reason that is not one (a caller outside the type system)', () => {
    expect(() => forwardSignal('nonsense' as 'stale', false)).toThrow(TypeError);
  });
});
