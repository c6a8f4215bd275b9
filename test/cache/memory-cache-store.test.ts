import { afterEach, describe, expect, it, vi } from 'vitest';

import { primaryKey } from '../../src/cache/cache-key-layout.js';
import { itemBytes } from '../../src/cache/cached-response.js';
import type { CachedResponse } from '../../src/cache/cached-response.js';
import { createCacheStore } from '../../src/cache/create-cache-store.js';
import { MemoryCacheStore } from '../../src/cache/memory-cache-store.js';
import type { MemoryCacheStoreOptions } from '../../src/cache/memory-cache-store.js';
import { ManualClock } from '../helpers/clock.js';
import { describeCacheStoreContract } from './cache-store-contract.js';

const MINUTE = 60_000;

describeCacheStoreContract('memory', async () => {
  const clock = new ManualClock();
  const store = createCacheStore({ type: 'memory', maxBytes: 16 * 1024 * 1024, clock });
  return Promise.resolve({
    store,
    now: () => clock.now().getTime(),
    elapse: (ms: number) => {
      clock.advance(ms);
      return Promise.resolve();
    },
    shortTtlMs: 1000,
    cleanup: () => store.close(),
  });
});

describe('memory cache store', () => {
  const clock = new ManualClock();
  const stores: MemoryCacheStore[] = [];
  afterEach(async () => {
    vi.useRealTimers();
    for (const store of stores.splice(0)) await store.close();
  });

  const open = (options: Omit<MemoryCacheStoreOptions, 'clock'>): MemoryCacheStore => {
    const store = new MemoryCacheStore({ clock, ...options });
    stores.push(store);
    return store;
  };
  const keyOf = (name: string): string =>
    primaryKey({ scope: 'project-a', provider: 'openai', method: 'GET', url: `/v1/${name}` }, 'none');
  const item = (name: string, ttlMs = MINUTE, body = 'x'.repeat(100)): CachedResponse => ({
    kind: 'response',
    status: 200,
    headers: { 'content-type': 'application/json' },
    chunks: [Buffer.from(body)],
    storedAt: clock.now().getTime(),
    expiresAt: clock.now().getTime() + ttlMs,
    origin: { scope: 'project-a', provider: 'openai', method: 'GET', url: `/v1/${name}` },
  });
  /** What one of the (equally sized) items named by one letter costs the store. */
  const cost = itemBytes(item('a')) + keyOf('a').length;
  const held = (store: MemoryCacheStore, names: string[]): string[] =>
    names.filter((name) => store.get(keyOf(name)) !== undefined);

  it('evicts the least recently used entry to make room, a read counting as a use', () => {
    const store = open({ maxBytes: cost * 3 });
    for (const name of ['a', 'b', 'c']) expect(store.set(keyOf(name), item(name))).toBe(true);
    expect(store.get(keyOf('a'))).toBeDefined();

    expect(store.set(keyOf('d'), item('d'))).toBe(true);
    expect(store.counters()).toEqual({ evictions: 1, expired: 0, errors: 0 });
    expect(store.stats()).toEqual({ entries: 3, bytes: cost * 3 });
    // Reading checks recency too: in the order a, c, d (least recent first) after this read.
    expect(held(store, ['b', 'a', 'c', 'd'])).toEqual(['a', 'c', 'd']);

    expect(store.set(keyOf('e'), item('e'))).toBe(true);
    expect(held(store, ['a', 'c', 'd', 'e'])).toEqual(['c', 'd', 'e']);
    expect(store.counters().evictions).toBe(2);
  });

  it('evicts as many entries as a larger item needs and never holds more than its bound', () => {
    const store = open({ maxBytes: cost * 4 });
    for (const name of ['a', 'b', 'c', 'd']) store.set(keyOf(name), item(name));
    const large = item('large', MINUTE, 'y'.repeat(cost * 2));
    const largeCost = itemBytes(large) + keyOf('large').length;
    expect(largeCost).toBeLessThanOrEqual(cost * 4);

    expect(store.set(keyOf('large'), large)).toBe(true);
    expect(held(store, ['a', 'b', 'c', 'd', 'large'])).toEqual(['d', 'large']);
    expect(store.counters().evictions).toBe(3);
    expect(store.stats()).toEqual({ entries: 2, bytes: cost + largeCost });
  });

  it('refuses an item larger than the whole store and keeps what it holds', () => {
    const store = open({ maxBytes: cost * 3 });
    store.set(keyOf('a'), item('a'));
    expect(store.set(keyOf('huge'), item('huge', MINUTE, 'z'.repeat(cost * 3)))).toBe(false);
    expect(store.get(keyOf('huge'))).toBeUndefined();
    expect(held(store, ['a'])).toEqual(['a']);
    expect(store.counters().evictions).toBe(0);
  });

  it('removes an expired entry when it is read, counted as expired and not as an eviction', () => {
    const store = open({ maxBytes: cost * 10 });
    store.set(keyOf('a'), item('a', 1000));
    store.set(keyOf('b'), item('b', 5000));
    clock.advance(1000);
    expect(store.get(keyOf('a'))).toBeUndefined();
    expect(store.stats()).toEqual({ entries: 1, bytes: cost });
    expect(store.counters()).toEqual({ evictions: 0, expired: 1, errors: 0 });
  });

  it('counts expired entries met while making room as expired, not as evictions', () => {
    const store = open({ maxBytes: cost * 2 });
    store.set(keyOf('a'), item('a', 1000));
    store.set(keyOf('b'), item('b'));
    clock.advance(2000);
    expect(store.set(keyOf('c'), item('c'))).toBe(true);
    expect(store.counters()).toEqual({ evictions: 0, expired: 1, errors: 0 });
    expect(held(store, ['a', 'b', 'c'])).toEqual(['b', 'c']);
  });

  it('gives the memory of expired entries back without any read, a bounded number per sweep', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const store = open({ maxBytes: cost * 10, sweepIntervalMs: 1000, sweepBatchSize: 3 });
    for (const name of ['a', 'b', 'c', 'd', 'e']) store.set(keyOf(name), item(name, 1000));
    store.set(keyOf('f'), item('f', 10 * MINUTE));
    clock.advance(1000);

    vi.advanceTimersByTime(1000);
    expect(store.stats()).toEqual({ entries: 3, bytes: cost * 3 });
    vi.advanceTimersByTime(1000);
    // The second sweep examined d, e and f: only f is left.
    expect(store.stats()).toEqual({ entries: 1, bytes: cost });
    expect(store.counters()).toEqual({ evictions: 0, expired: 5, errors: 0 });

    // Starting over once the end was reached, the sweep still finds entries written after it passed.
    store.set(keyOf('g'), item('g', 1000));
    clock.advance(1000);
    vi.advanceTimersByTime(2000);
    expect(store.stats()).toEqual({ entries: 1, bytes: cost });
    expect(store.get(keyOf('f'))).toBeDefined();
  });

  it('stops its sweep timer on close', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const store = new MemoryCacheStore({ maxBytes: cost, clock });
    expect(vi.getTimerCount()).toBe(1);
    await store.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});
