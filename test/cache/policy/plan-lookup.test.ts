import { describe, expect, it } from 'vitest';

import { parseCacheControl } from '../../../src/cache/cache-control.js';
import type { LookupFacts, LookupPlan } from '../../../src/cache/cache-policy.js';
import { planLookup } from '../../../src/cache/cache-policy.js';

interface Row {
  readonly method: string;
  readonly cacheControl?: string;
  readonly body?: LookupFacts['body'];
  readonly projectPostTtlMs?: number;
}

function plan(row: Row): LookupPlan {
  return planLookup({
    method: row.method,
    requestCacheControl: parseCacheControl(row.cacheControl),
    body: row.body ?? (row.method === 'POST' ? 'read' : 'none'),
    projectPostTtlMs: row.projectPostTtlMs ?? 0,
  });
}

function cacheable(partial: Partial<Extract<LookupPlan, { cacheable: true }>> = {}): LookupPlan {
  return {
    cacheable: true,
    forcedTtlMs: undefined,
    serveStored: true,
    onlyIfCached: false,
    maxAgeMs: undefined,
    ...partial,
  };
}

describe('planLookup: which requests may use the cache', () => {
  const table: [string, Row, LookupPlan][] = [
    // GET and HEAD: cacheable, the upstream decides unless the client forces a TTL.
    ['a plain GET', { method: 'GET' }, cacheable()],
    ['a plain HEAD', { method: 'HEAD' }, cacheable()],
    [
      'a GET with public, max-age forces the TTL',
      { method: 'GET', cacheControl: 'public, max-age=60' },
      cacheable({
        forcedTtlMs: 60_000,
        maxAgeMs: 60_000,
      }),
    ],
    [
      'a GET with max-age alone does not force',
      { method: 'GET', cacheControl: 'max-age=60' },
      cacheable({
        maxAgeMs: 60_000,
      }),
    ],
    ['a GET with public alone does not force', { method: 'GET', cacheControl: 'public' }, cacheable()],
    ['a GET ignores the project POST TTL', { method: 'GET', projectPostTtlMs: 30_000 }, cacheable()],
    [
      'a GET with no-cache revalidates',
      { method: 'GET', cacheControl: 'no-cache' },
      cacheable({ serveStored: false }),
    ],
    [
      'a GET with max-age=0 revalidates',
      { method: 'GET', cacheControl: 'max-age=0' },
      cacheable({
        serveStored: false,
        maxAgeMs: 0,
      }),
    ],
    [
      'a GET with only-if-cached',
      { method: 'GET', cacheControl: 'only-if-cached' },
      cacheable({ onlyIfCached: true }),
    ],
    [
      'a GET with no-store bypasses',
      { method: 'GET', cacheControl: 'no-store' },
      { cacheable: false, reason: 'no-store' },
    ],
    [
      'a HEAD with no-store bypasses',
      { method: 'HEAD', cacheControl: 'public, max-age=60, no-store' },
      {
        cacheable: false,
        reason: 'no-store',
      },
    ],

    // POST: only on opt-in.
    ['a POST without opt-in bypasses', { method: 'POST' }, { cacheable: false, reason: 'no-opt-in' }],
    [
      'a POST with max-age but not public bypasses',
      { method: 'POST', cacheControl: 'max-age=60' },
      {
        cacheable: false,
        reason: 'no-opt-in',
      },
    ],
    [
      'a POST with public alone bypasses',
      { method: 'POST', cacheControl: 'public' },
      {
        cacheable: false,
        reason: 'no-opt-in',
      },
    ],
    [
      'a POST with public, max-age=0 bypasses',
      { method: 'POST', cacheControl: 'public, max-age=0' },
      {
        cacheable: false,
        reason: 'no-opt-in',
      },
    ],
    [
      'a POST with public, max-age opts in',
      { method: 'POST', cacheControl: 'public, max-age=60' },
      cacheable({
        forcedTtlMs: 60_000,
        maxAgeMs: 60_000,
      }),
    ],
    [
      'a POST with public, s-maxage opts in',
      { method: 'POST', cacheControl: 'public, s-maxage=90' },
      cacheable({
        forcedTtlMs: 90_000,
      }),
    ],
    [
      's-maxage is the TTL before max-age',
      { method: 'POST', cacheControl: 'public, max-age=60, s-maxage=90' },
      cacheable({ forcedTtlMs: 90_000, maxAgeMs: 60_000 }),
    ],
    [
      's-maxage=0 leaves max-age as the TTL',
      { method: 'POST', cacheControl: 'public, s-maxage=0, max-age=60' },
      cacheable({ forcedTtlMs: 60_000, maxAgeMs: 60_000 }),
    ],
    [
      'the project POST TTL opts in without any client change',
      { method: 'POST', projectPostTtlMs: 30_000 },
      cacheable({
        forcedTtlMs: 30_000,
      }),
    ],
    [
      "the client's TTL wins over the project's",
      {
        method: 'POST',
        cacheControl: 'public, max-age=5',
        projectPostTtlMs: 30_000,
      },
      cacheable({ forcedTtlMs: 5_000, maxAgeMs: 5_000 }),
    ],
    [
      'a POST with no body can be cached',
      { method: 'POST', body: 'none', projectPostTtlMs: 30_000 },
      cacheable({
        forcedTtlMs: 30_000,
      }),
    ],
    [
      "the client's no-store wins over the project TTL",
      {
        method: 'POST',
        cacheControl: 'no-store',
        projectPostTtlMs: 30_000,
      },
      { cacheable: false, reason: 'no-store' },
    ],
    [
      'no-store bypasses a POST that never opted in as no-store',
      { method: 'POST', cacheControl: 'no-store' },
      {
        cacheable: false,
        reason: 'no-store',
      },
    ],
    [
      "the client's no-cache revalidates a project-cached POST",
      {
        method: 'POST',
        cacheControl: 'no-cache',
        projectPostTtlMs: 30_000,
      },
      cacheable({ forcedTtlMs: 30_000, serveStored: false }),
    ],
    [
      "the client's max-age=0 revalidates a project-cached POST",
      {
        method: 'POST',
        cacheControl: 'max-age=0',
        projectPostTtlMs: 30_000,
      },
      cacheable({ forcedTtlMs: 30_000, serveStored: false, maxAgeMs: 0 }),
    ],
    [
      'no-cache alone does not opt a POST in',
      { method: 'POST', cacheControl: 'no-cache' },
      {
        cacheable: false,
        reason: 'no-opt-in',
      },
    ],
    [
      'an opted-in POST whose body was streamed bypasses',
      {
        method: 'POST',
        cacheControl: 'public, max-age=60',
        body: 'streamed',
      },
      { cacheable: false, reason: 'body-not-read' },
    ],
    [
      'a project-cached POST whose body was streamed bypasses',
      {
        method: 'POST',
        body: 'streamed',
        projectPostTtlMs: 30_000,
      },
      { cacheable: false, reason: 'body-not-read' },
    ],
    [
      'an opted-in POST with only-if-cached',
      {
        method: 'POST',
        cacheControl: 'public, max-age=60, only-if-cached',
      },
      cacheable({ forcedTtlMs: 60_000, maxAgeMs: 60_000, onlyIfCached: true }),
    ],

    [
      'a GET whose body was not read bypasses',
      { method: 'GET', body: 'streamed' },
      {
        cacheable: false,
        reason: 'body-not-read',
      },
    ],
    ['a GET with a body that was read', { method: 'GET', body: 'read' }, cacheable()],

    // Every other method.
    [
      'PUT bypasses',
      { method: 'PUT', cacheControl: 'public, max-age=60' },
      { cacheable: false, reason: 'method' },
    ],
    ['PATCH bypasses', { method: 'PATCH', projectPostTtlMs: 30_000 }, { cacheable: false, reason: 'method' }],
    ['DELETE bypasses', { method: 'DELETE' }, { cacheable: false, reason: 'method' }],
    ['OPTIONS bypasses', { method: 'OPTIONS' }, { cacheable: false, reason: 'method' }],
    [
      'the method is checked before no-store',
      { method: 'PUT', cacheControl: 'no-store' },
      {
        cacheable: false,
        reason: 'method',
      },
    ],
    [
      'a lower-case method is not GET (Node upper-cases methods)',
      { method: 'get' },
      { cacheable: false, reason: 'method' },
    ],
  ];

  it.each(table)('%s', (_name, row, expected) => {
    expect(plan(row)).toEqual(expected);
  });
});
