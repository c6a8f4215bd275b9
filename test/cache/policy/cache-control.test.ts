import { describe, expect, it } from 'vitest';

import type { CacheControl } from '../../../src/cache/cache-control.js';
import { MAX_DELTA_SECONDS, NO_DIRECTIVES, parseCacheControl } from '../../../src/cache/cache-control.js';

/** The parsed directives that differ from none at all. */
function directives(partial: Partial<CacheControl>): CacheControl {
  return { ...NO_DIRECTIVES, ...partial };
}

describe('Cache-Control parsing (RFC 9111 §5.2)', () => {
  const table: [string, string | readonly string[], CacheControl][] = [
    ['a single flag', 'no-store', directives({ noStore: true })],
    [
      'every flag',
      'no-store, no-cache, private, public, only-if-cached, must-revalidate',
      {
        noStore: true,
        noCache: true,
        private: true,
        public: true,
        onlyIfCached: true,
        mustRevalidate: true,
        maxAge: undefined,
        sMaxAge: undefined,
      },
    ],
    [
      'names in any case',
      'No-Store, PUBLIC, Max-Age=60, S-MAXAGE=30',
      directives({
        noStore: true,
        public: true,
        maxAge: 60,
        sMaxAge: 30,
      }),
    ],
    ['a quoted delta-seconds', 'max-age="60"', directives({ maxAge: 60 })],
    ['a quoted s-maxage with spaces around it', ' s-maxage = "120" ', directives({ sMaxAge: 120 })],
    ['qualified no-cache counts as no-cache', 'no-cache="set-cookie"', directives({ noCache: true })],
    [
      'a quoted list with commas is one directive',
      'no-cache="set-cookie, x-user", max-age=5',
      directives({
        noCache: true,
        maxAge: 5,
      }),
    ],
    ['qualified private counts as private', 'private="x-user"', directives({ private: true })],
    [
      'an escaped quote inside a quoted value',
      'private="a\\"b, c", public',
      directives({
        private: true,
        public: true,
      }),
    ],
    ['repeated header lines combine', ['public', 'max-age=60'], directives({ public: true, maxAge: 60 })],
    [
      'repeated header lines, each a list',
      ['no-cache, x-junk', 'only-if-cached'],
      directives({
        noCache: true,
        onlyIfCached: true,
      }),
    ],
    [
      'proxy-revalidate means must-revalidate to a shared cache',
      'proxy-revalidate',
      directives({
        mustRevalidate: true,
      }),
    ],
    ['max-age=0 is a value, not an absence', 'max-age=0', directives({ maxAge: 0 })],
    ['a negative max-age is malformed', 'max-age=-1', directives({})],
    ['a fractional max-age is malformed', 'max-age=1.5', directives({})],
    ['trailing junk makes max-age malformed', 'max-age=60s', directives({})],
    ['an empty max-age is malformed', 'max-age=', directives({})],
    ['max-age without a value is malformed', 'max-age, public', directives({ public: true })],
    [
      'an overflowing delta-seconds is capped at 2^31',
      'max-age=99999999999999999999',
      directives({
        maxAge: MAX_DELTA_SECONDS,
      }),
    ],
    ['the first of repeated max-age counts', 'max-age=10, max-age=99', directives({ maxAge: 10 })],
    ['the first counts across header lines', ['s-maxage=5', 's-maxage=50'], directives({ sMaxAge: 5 })],
    ['a malformed first occurrence is not replaced by a later one', 'max-age=x, max-age=5', directives({})],
    [
      'unknown directives and junk are ignored',
      'stale-while-revalidate=30, ,,;;, =5, immutable, public',
      directives({ public: true }),
    ],
    ['a flag with a value is still the flag', 'no-store=1', directives({ noStore: true })],
    ['an unclosed quote runs to the end', 'max-age="60', directives({ maxAge: 60 })],
    [
      'junk after a quoted value is ignored up to the comma',
      'max-age="60"junk, public',
      directives({
        maxAge: 60,
        public: true,
      }),
    ],
    ['tabs are whitespace', '\tpublic\t,\tmax-age=7', directives({ public: true, maxAge: 7 })],
    ['a near-miss name is not the directive', 'no-stores, maxage=5, s-max-age=5', directives({})],
  ];

  it.each(table)('%s: %j', (_name, value, expected) => {
    expect(parseCacheControl(value)).toEqual(expected);
  });

  it('returns the shared empty value for an absent, empty or unknown header', () => {
    expect(parseCacheControl(undefined)).toBe(NO_DIRECTIVES);
    expect(parseCacheControl('')).toBe(NO_DIRECTIVES);
    expect(parseCacheControl([])).toBe(NO_DIRECTIVES);
    expect(parseCacheControl('immutable, stale-if-error=60')).toBe(NO_DIRECTIVES);
  });

  it('never lets a caller change the shared empty value', () => {
    expect(Object.isFrozen(NO_DIRECTIVES)).toBe(true);
    expect(() => {
      (NO_DIRECTIVES as { noStore: boolean }).noStore = true;
    }).toThrow(TypeError);
  });
});
