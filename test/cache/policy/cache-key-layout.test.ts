import { describe, expect, it } from 'vitest';

import { bodyHash, normaliseRequestUrl, varyValuesHash } from '../../../src/cache/cache-key.js';
import {
  escapeGlob,
  keyFields,
  primaryKey,
  selectorGlob,
  selectorMatches,
  variantKey,
} from '../../../src/cache/cache-key-layout.js';
import type { PurgeSelector } from '../../../src/cache/cache-store.js';
import type { CacheEntryOrigin } from '../../../src/cache/cached-response.js';
import { SHARED_SCOPE } from '../../../src/cache/cached-response.js';

/**
 * Redis's glob (`stringmatchlen` in util.c) for what SCAN MATCH uses: `*`, `?`, `[...]` (with `^` and ranges)
 * and `\` escaping the next character. Written here to check the globs the Redis store will send.
 */
function redisGlobMatches(pattern: string, text: string): boolean {
  return globFrom(pattern, 0, text, 0);
}

function globFrom(pattern: string, p: number, text: string, t: number): boolean {
  while (p < pattern.length) {
    const char = pattern[p];
    if (char === '*') {
      for (let rest = t; rest <= text.length; rest += 1)
        if (globFrom(pattern, p + 1, text, rest)) return true;
      return false;
    }
    if (t >= text.length) return false;
    if (char === '?') {
      p += 1;
      t += 1;
      continue;
    }
    if (char === '[') {
      let at = p + 1;
      const negate = pattern[at] === '^';
      if (negate) at += 1;
      let matched = false;
      while (at < pattern.length && pattern[at] !== ']') {
        if (pattern[at] === '\\' && at + 1 < pattern.length) {
          at += 1;
          if (pattern[at] === text[t]) matched = true;
        } else if (pattern[at + 1] === '-' && at + 2 < pattern.length && pattern[at + 2] !== ']') {
          const low = pattern.charCodeAt(at);
          const high = pattern.charCodeAt(at + 2);
          const code = text.charCodeAt(t);
          if (code >= Math.min(low, high) && code <= Math.max(low, high)) matched = true;
          at += 2;
        } else if (pattern[at] === text[t]) {
          matched = true;
        }
        at += 1;
      }
      if (matched === negate) return false;
      p = at + 1;
      t += 1;
      continue;
    }
    const literal = char === '\\' && p + 1 < pattern.length ? pattern[(p += 1)] : char;
    if (literal !== text[t]) return false;
    p += 1;
    t += 1;
  }
  return t === text.length;
}

function origin(scope: string, method: string, url: string): CacheEntryOrigin {
  return { scope, provider: 'openai', method, url: normaliseRequestUrl(url) };
}

const CHAT = bodyHash(Buffer.from('{"model":"gpt-4o-mini","messages":[]}'), true);
const OTHER_CHAT = bodyHash(Buffer.from('{"model":"gpt-4o","messages":[]}'), true);
const VARIANT = varyValuesHash(['accept-encoding'], { 'accept-encoding': 'gzip' });

const KEYS = [
  primaryKey(origin('p1', 'GET', '/v1/models'), 'none'),
  primaryKey(origin('p1', 'GET', '/v1/models?b=2&a=1'), 'none'),
  primaryKey(origin('p1', 'HEAD', '/v1/models'), 'none'),
  primaryKey(origin('p1', 'GET', '/v1/modelsX'), 'none'),
  primaryKey(origin('p1', 'GET', '/v1/models/gpt-4o'), 'none'),
  primaryKey(origin('p1', 'POST', '/v1/chat/completions'), CHAT),
  variantKey(primaryKey(origin('p1', 'POST', '/v1/chat/completions'), CHAT), VARIANT),
  primaryKey(origin('p1', 'POST', '/v1/chat/completions'), OTHER_CHAT),
  primaryKey(origin('p2', 'POST', '/v1/chat/completions'), CHAT),
  primaryKey(origin('p2', 'GET', '/v1/models'), 'none'),
  primaryKey(origin('p10', 'GET', '/v1/models'), 'none'),
  primaryKey(origin(SHARED_SCOPE, 'GET', '/v1/models'), 'none'),
  primaryKey(origin('p1', 'GET', '/v1/files/*?q=a*b'), 'none'),
  primaryKey(origin('p1', 'GET', '/v1/files/[x]?'), 'none'),
  primaryKey(origin('p1', 'GET', '/v1/files/\\x'), 'none'),
  primaryKey(origin('p1', 'GET', '/v1/files/a|b'), 'none'),
];

const SELECTORS: PurgeSelector[] = [
  { kind: 'all' },
  { kind: 'scope', scope: 'p1' },
  { kind: 'scope', scope: 'p2' },
  { kind: 'scope', scope: 'p' },
  { kind: 'scope', scope: SHARED_SCOPE },
  { kind: 'url', method: 'GET', url: '/v1/models' },
  { kind: 'url', method: 'GET', url: '/v1/models', scope: 'p1' },
  { kind: 'url', method: 'GET', url: '/v1/models', scope: 'p2' },
  { kind: 'url', method: 'GET', url: normaliseRequestUrl('/v1/models?a=1&b=2') },
  { kind: 'url', method: 'HEAD', url: '/v1/models' },
  { kind: 'url', method: 'POST', url: '/v1/chat/completions' },
  { kind: 'url', method: 'POST', url: '/v1/chat/completions', scope: 'p2' },
  { kind: 'url', method: 'GET', url: normaliseRequestUrl('/v1/files/*?q=a*b') },
  { kind: 'url', method: 'GET', url: '/v1/files/*' },
  { kind: 'url', method: 'GET', url: normaliseRequestUrl('/v1/files/[x]?') },
  { kind: 'url', method: 'GET', url: '/v1/files/\\x' },
  { kind: 'url', method: 'GET', url: normaliseRequestUrl('/v1/files/a|b') },
  { kind: 'url', method: 'G*', url: '/v1/models' },
  { kind: 'prefix', prefix: '/v1/models' },
  { kind: 'prefix', prefix: '/v1/models', scope: 'p1' },
  { kind: 'prefix', prefix: '/v1/models', scope: SHARED_SCOPE },
  { kind: 'prefix', prefix: '/v1/models/' },
  { kind: 'prefix', prefix: '/v1/chat' },
  { kind: 'prefix', prefix: '/v1/files/*' },
  { kind: 'prefix', prefix: '/v1/files/[' },
  { kind: 'prefix', prefix: '/v1/files/\\' },
  { kind: 'prefix', prefix: '/v1/files/?' },
  { kind: 'prefix', prefix: '/' },
  { kind: 'prefix', prefix: '', scope: 'p2' },
];

describe('the key layout', () => {
  it('writes scope, method, URL and body hash, and a variant after them', () => {
    const primary = primaryKey(origin('p1', 'POST', '/v1/chat/completions'), CHAT);
    expect(primary).toBe(`p1|POST|/v1/chat/completions|${CHAT}`);
    expect(variantKey(primary, VARIANT)).toBe(`${primary}|v=${VARIANT}`);
  });

  it.each(KEYS)('reads back the fields of %s', (key) => {
    const fields = keyFields(key);
    expect(fields).toBeDefined();
    expect(key.startsWith(`${fields?.scope}|${fields?.method}|${fields?.url}|`)).toBe(true);
    expect(fields?.url.includes('|')).toBe(false);
  });

  it('reads no fields from a key not laid out this way', () => {
    expect(keyFields('p1|GET|/v1/models')).toBeUndefined();
    expect(keyFields('something else')).toBeUndefined();
    expect(SELECTORS.filter((selector) => selectorMatches(selector, 'p1|GET|/v1/models'))).toEqual([
      { kind: 'all' },
    ]);
  });

  it('keeps projects apart: the same request in two projects is two keys', () => {
    const p1 = primaryKey(origin('p1', 'POST', '/v1/chat/completions'), CHAT);
    const p2 = primaryKey(origin('p2', 'POST', '/v1/chat/completions'), CHAT);
    expect(p1).not.toBe(p2);
  });
});

describe('purge selectors: selectorMatches and the Redis glob of selectorGlob agree', () => {
  const rows = SELECTORS.map((selector) => [JSON.stringify(selector), selector] as const);

  it.each(rows)('%s', (_name, selector) => {
    const glob = selectorGlob(selector);
    const byGlob = KEYS.filter((key) => redisGlobMatches(glob, key));
    const byMatch = KEYS.filter((key) => selectorMatches(selector, key));
    expect(byGlob).toEqual(byMatch);
  });

  it('selects what the purge means, on a few rows checked by hand', () => {
    const select = (selector: PurgeSelector): string[] =>
      KEYS.filter((key) => selectorMatches(selector, key));
    expect(select({ kind: 'url', method: 'GET', url: '/v1/models' })).toEqual([
      KEYS[0],
      KEYS[9],
      KEYS[10],
      KEYS[11],
    ]);
    expect(select({ kind: 'url', method: 'POST', url: '/v1/chat/completions', scope: 'p1' })).toEqual([
      KEYS[5],
      KEYS[6],
      KEYS[7],
    ]);
    expect(select({ kind: 'scope', scope: 'p' })).toEqual([]);
    expect(select({ kind: 'prefix', prefix: '/v1/models/' })).toEqual([KEYS[4]]);
    expect(select({ kind: 'prefix', prefix: '/v1/models', scope: SHARED_SCOPE })).toEqual([KEYS[11]]);
  });

  it('selects a superset by glob when a prefix does not start with "/": the store filters by selectorMatches', () => {
    // A prefix such as "a" or "v" can also match the hex body hash or the `v=` variant after the URL.
    for (const prefix of ['a', 'v', 'n', '0']) {
      const selector: PurgeSelector = { kind: 'prefix', prefix };
      const glob = selectorGlob(selector);
      const byMatch = KEYS.filter((key) => selectorMatches(selector, key));
      const byGlob = KEYS.filter((key) => redisGlobMatches(glob, key));
      expect(byMatch).toEqual([]);
      expect(byGlob).toEqual(expect.arrayContaining(byMatch));
    }
    expect(
      KEYS.filter((key) => redisGlobMatches(selectorGlob({ kind: 'prefix', prefix: 'n' }), key)).length,
    ).toBeGreaterThan(0);
  });
});

describe('glob escaping', () => {
  it.each([
    ['plain', '/v1/models', '/v1/models'],
    ['a star', '/a*b', '/a\\*b'],
    ['a question mark', '/a?b', '/a\\?b'],
    ['brackets', '/[x]', '/\\[x\\]'],
    ['a backslash', '/a\\b', '/a\\\\b'],
    ['all of them', '*?[]\\', '\\*\\?\\[\\]\\\\'],
  ])('escapes %s', (_name, text, escaped) => {
    expect(escapeGlob(text)).toBe(escaped);
    expect(redisGlobMatches(escaped, text)).toBe(true);
  });

  it('makes an escaped text match only itself', () => {
    expect(redisGlobMatches(escapeGlob('/a*'), '/abc')).toBe(false);
    expect(redisGlobMatches(escapeGlob('/a?'), '/ab')).toBe(false);
    expect(redisGlobMatches(escapeGlob('/[ab]'), '/a')).toBe(false);
  });

  it('is checked by a glob matcher that itself works', () => {
    expect(redisGlobMatches('p1|*', 'p1|GET|/x|none')).toBe(true);
    expect(redisGlobMatches('p1|*', 'p10|GET|/x|none')).toBe(false);
    expect(redisGlobMatches('a?c', 'abc')).toBe(true);
    expect(redisGlobMatches('[a-c]x', 'bx')).toBe(true);
    expect(redisGlobMatches('[^a-c]x', 'bx')).toBe(false);
    expect(redisGlobMatches('*', '')).toBe(true);
    expect(redisGlobMatches('a*', '')).toBe(false);
  });
});
