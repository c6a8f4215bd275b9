import type { IncomingHttpHeaders } from 'node:http';

import { afterEach, describe, expect, it } from 'vitest';

import type { StoredHeaders } from '../../../src/cache/cached-response.js';
import {
  notModified,
  notModifiedHeaders,
  parseHttpDate,
  validatorsOf,
} from '../../../src/cache/conditional.js';

const MODIFIED = 'Tue, 01 Dec 2026 10:00:00 GMT';
const STORED: StoredHeaders = {
  'content-type': 'application/json',
  'content-length': '2',
  'cache-control': 'public, max-age=60',
  etag: '"v1"',
  'last-modified': MODIFIED,
  vary: 'Accept-Encoding',
};

describe('If-None-Match against the stored ETag (RFC 9110 §13.1.2, weak comparison)', () => {
  const table: [string, string, StoredHeaders, boolean][] = [
    ['the same strong tag', '"v1"', STORED, true],
    ['another tag', '"v2"', STORED, false],
    ['a weak request tag matches a strong stored one', 'W/"v1"', STORED, true],
    ['a strong request tag matches a weak stored one', '"v1"', { ...STORED, etag: 'W/"v1"' }, true],
    ['weak against weak', 'W/"v1"', { ...STORED, etag: 'W/"v1"' }, true],
    ['one of a list', '"v0", "v1", "v2"', STORED, true],
    ['none of a list', '"v0", W/"v2"', STORED, false],
    ['a list without spaces', '"v0","v1"', STORED, true],
    ['a comma inside a tag is part of it', '"a,b"', { ...STORED, etag: '"a,b"' }, true],
    ['half a tag with a comma does not match', '"a", "b"', { ...STORED, etag: '"a,b"' }, false],
    ['*', '*', STORED, true],
    ['* matches a stored answer without an ETag', ' * ', { 'content-type': 'application/json' }, true],
    ['a tag when nothing was stored with an ETag', '"v1"', { 'content-type': 'application/json' }, false],
    ['an unquoted tag (lenient clients)', 'v1', STORED, true],
    ['an unquoted stored tag (lenient upstreams)', '"v1"', { ...STORED, etag: 'v1' }, true],
    ['quotes are part of the comparison, not the content', '"v"', { ...STORED, etag: '"v1"' }, false],
    ['an empty header', '', STORED, false],
    ['only commas', ' , , ', STORED, false],
    ['an unclosed tag', '"v1', STORED, false],
    ['the stored ETag as a list takes the first value', '"v1"', { ...STORED, etag: ['"v1"', '"v9"'] }, true],
  ];

  it.each(table)('%s', (_name, ifNoneMatch, stored, expected) => {
    expect(notModified({ 'if-none-match': ifNoneMatch }, stored)).toBe(expected);
  });

  it('decides alone when present: If-Modified-Since is then not looked at', () => {
    const headers: IncomingHttpHeaders = { 'if-none-match': '"v2"', 'if-modified-since': MODIFIED };
    expect(notModified(headers, STORED)).toBe(false);
  });
});

describe('If-Modified-Since against the stored Last-Modified (RFC 9110 §13.1.3)', () => {
  const table: [string, string, StoredHeaders, boolean][] = [
    ['the same date', MODIFIED, STORED, true],
    ['a later date', 'Tue, 01 Dec 2026 10:00:01 GMT', STORED, true],
    ['an earlier date', 'Tue, 01 Dec 2026 09:59:59 GMT', STORED, false],
    ['the RFC 850 form', 'Tuesday, 01-Dec-26 10:00:00 GMT', STORED, true],
    ['the asctime form', 'Tue Dec  1 10:00:00 2026', STORED, true],
    ['an earlier asctime date', 'Tue Dec  1 09:00:00 2026', STORED, false],
    ['names in another case', 'tue, 01 dec 2026 10:00:00 gmt', STORED, true],
    ['not an HTTP-date', 'yesterday', STORED, false],
    ['an ISO date is not an HTTP-date', '2026-12-01T10:00:00Z', STORED, false],
    ['a date without GMT', 'Tue, 01 Dec 2026 10:00:00', STORED, false],
    ['a second member', `${MODIFIED}, ${MODIFIED}`, STORED, false],
    ['no stored Last-Modified', MODIFIED, { 'content-type': 'application/json' }, false],
    ['a stored Last-Modified that is not a date', MODIFIED, { ...STORED, 'last-modified': 'soon' }, false],
  ];

  it.each(table)('%s', (_name, ifModifiedSince, stored, expected) => {
    expect(notModified({ 'if-modified-since': ifModifiedSince }, stored)).toBe(expected);
  });

  it('is false for a request with neither precondition', () => {
    expect(notModified({ accept: 'application/json' }, STORED)).toBe(false);
  });
});

describe('HTTP-date parsing', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  const expected = Date.UTC(1994, 10, 6, 8, 49, 37);
  it.each([
    ['IMF-fixdate', 'Sun, 06 Nov 1994 08:49:37 GMT', expected],
    ['RFC 850', 'Sunday, 06-Nov-94 08:49:37 GMT', expected],
    ['asctime', 'Sun Nov  6 08:49:37 1994', expected],
    ['asctime with a two-digit day', 'Sun Nov 16 08:49:37 1994', Date.UTC(1994, 10, 16, 8, 49, 37)],
    ['RFC 850 in this century', 'Tuesday, 01-Dec-26 10:00:00 GMT', Date.UTC(2026, 11, 1, 10, 0, 0)],
    ['surrounding whitespace', '  Sun, 06 Nov 1994 08:49:37 GMT ', expected],
    ['a leap second', 'Sat, 31 Dec 2016 23:59:60 GMT', Date.UTC(2016, 11, 31, 23, 59, 59)],
    ['31 February', 'Sat, 31 Feb 2026 10:00:00 GMT', undefined],
    ['hour 24', 'Sun, 06 Nov 1994 24:00:00 GMT', undefined],
    ['minute 60', 'Sun, 06 Nov 1994 08:60:00 GMT', undefined],
    ['an unknown month', 'Sun, 06 Nox 1994 08:49:37 GMT', undefined],
    ['another zone', 'Sun, 06 Nov 1994 08:49:37 +0000', undefined],
    ['a bare year', '1994', undefined],
  ] as const)('%s', (_name, text, result) => {
    expect(parseHttpDate(text)).toBe(result);
  });

  it('reads the zone-less asctime form as GMT whatever the local time zone', () => {
    process.env.TZ = 'America/New_York';
    expect(new Date(2000, 0, 1).getTimezoneOffset()).toBe(300);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).toBe(expected);
  });
});

describe('the headers of a 304 and the validators of an entry', () => {
  it('carries the stored validators and caching headers, and no representation headers', () => {
    const stored: StoredHeaders = {
      ...STORED,
      expires: 'Tue, 01 Dec 2026 11:00:00 GMT',
      'content-location': '/v1/models',
      'openai-model': 'gpt-4o-mini',
    };
    expect(notModifiedHeaders(stored)).toEqual({
      'cache-control': 'public, max-age=60',
      'content-location': '/v1/models',
      etag: '"v1"',
      expires: 'Tue, 01 Dec 2026 11:00:00 GMT',
      'last-modified': MODIFIED,
      vary: 'Accept-Encoding',
    });
  });

  it('copies a repeated header as a list of its own', () => {
    const vary = ['Accept', 'Accept-Encoding'];
    const headers = notModifiedHeaders({ vary });
    expect(headers).toEqual({ vary });
    expect(headers.vary).not.toBe(vary);
  });

  it('carries nothing for an entry without such headers', () => {
    expect(notModifiedHeaders({ 'content-type': 'text/plain' })).toEqual({});
  });

  it('names the validators to revalidate with', () => {
    expect(validatorsOf(STORED)).toEqual({ etag: '"v1"', lastModified: MODIFIED });
    expect(validatorsOf({ etag: ['W/"a"', 'W/"b"'] })).toEqual({ etag: 'W/"a"', lastModified: undefined });
    expect(validatorsOf({})).toEqual({ etag: undefined, lastModified: undefined });
  });
});
