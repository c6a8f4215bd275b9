import { describe, expect, it } from 'vitest';

import {
  NO_BODY_HASH,
  bodyHash,
  canonicalJson,
  normaliseRequestUrl,
  normaliseUrl,
  varyValuesHash,
} from '../../../src/cache/cache-key.js';

const json = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('normalised request URLs', () => {
  const table: [string, string, string][] = [
    ['a path alone', '/v1/models', '/v1/models'],
    ['parameters sorted by name', '/v1/models?b=2&a=1', '/v1/models?a=1&b=2'],
    ["a name's values keep their order", '/x?a=2&b=0&a=1', '/x?a=2&a=1&b=0'],
    ['+ is a space', '/x?q=a+b', '/x?q=a%20b'],
    ['%20 is a space', '/x?q=a%20b', '/x?q=a%20b'],
    ['%2B is a plus, not a space', '/x?q=a%2Bb', '/x?q=a%2Bb'],
    ['escapes in either case are one', '/x?q=%c3%a9', '/x?q=%C3%A9'],
    ['an escaped unreserved character is the character', '/x?%61=%31', '/x?a=1'],
    ['a raw non-ASCII character is escaped', '/x?q=é', '/x?q=%C3%A9'],
    [
      'reserved characters are escaped one way',
      "/x?q=a/b:c@d,e;f$g!h*i'j(k)l~m",
      "/x?q=a%2Fb%3Ac%40d%2Ce%3Bf%24g!h*i'j(k)l~m",
    ],
    ['a name without = has an empty value', '/x?a', '/x?a='],
    ['an empty value', '/x?a=', '/x?a='],
    ['= inside a value is kept', '/x?a=b=c', '/x?a=b%3Dc'],
    ['empty parameters are dropped', '/x?&a=1&&', '/x?a=1'],
    ['an empty query is no query', '/x?', '/x'],
    ['a query of only separators is no query', '/x?&&', '/x'],
    ['| in the path is escaped', '/x|y', '/x%7Cy'],
    ['| in a query is escaped', '/x?a=|&|=b', '/x?%7C=b&a=%7C'],
    ['an invalid escape is kept as sent', '/x?q=%zz', '/x?q=%zz'],
    ['an escape of invalid UTF-8 is kept as sent', '/x?q=%FF', '/x?q=%FF'],
    ['a truncated escape is kept as sent', '/x?q=ab%2', '/x?q=ab%2'],
    ['other characters of an undecodable part are still escaped', '/x?q=%FF+a|é', '/x?q=%FF%20a%7C%u00E9'],
    ['the path is not rewritten otherwise', '/v1//models/%41', '/v1//models/%41'],
  ];

  it.each(table)('%s: %s', (_name, url, expected) => {
    expect(normaliseRequestUrl(url)).toBe(expected);
  });

  it('gives written-differently requests one URL', () => {
    const forms = ['/x?b=%20&a=1', '/x?a=1&b=+', '/x?a=%31&b=%20', '/x?&b=+&a=1&'];
    expect(new Set(forms.map(normaliseRequestUrl))).toEqual(new Set(['/x?a=1&b=%20']));
  });

  it('keeps distinct requests apart, the undecodable ones included', () => {
    const distinct = [
      '/x?q=%FF',
      '/x?q=%25FF',
      '/x?q=%zz',
      '/x?q=%25zz',
      '/x?q=%2B',
      '/x?q=+',
      '/x?q=%7C',
      '/x?q=%257C',
    ];
    expect(new Set(distinct.map(normaliseRequestUrl)).size).toBe(distinct.length);
  });

  it('never lets | into the result, whatever the URL', () => {
    for (const url of ['/a|b?c|d=e|f', '/a?%7C=%7c', '/a?x=%FF|', '/a?%zz|=1']) {
      expect(normaliseRequestUrl(url)).not.toContain('|');
    }
  });

  it('takes path and query apart the same way as the split form', () => {
    expect(normaliseUrl('/v1/models', 'b=2&a=1')).toBe(normaliseRequestUrl('/v1/models?b=2&a=1'));
    expect(normaliseUrl('/v1/models', '')).toBe('/v1/models');
  });
});

describe('canonical JSON bodies', () => {
  const same: [string, string, string][] = [
    ['key order', '{"b":1,"a":2}', '{"a":2,"b":1}'],
    ['whitespace', '{ "a" : [ 1 , 2 ] ,\n\t"b" : null }', '{"a":[1,2],"b":null}'],
    [
      'nested objects in arrays',
      '{"m":[{"y":1,"x":2},[{"d":1,"c":2}]]}',
      '{"m":[{"x":2,"y":1},[{"c":2,"d":1}]]}',
    ],
    ['unicode escapes and the characters', '{"a":"\\u00e9\\u4e2d"}', '{"a":"é中"}'],
    ['escaped solidus', '{"a":"x\\/y"}', '{"a":"x/y"}'],
    ['1.0 and 1 are one number', '{"t":1.0}', '{"t":1}'],
    ['exponents', '{"t":1e2,"u":2.5E-1}', '{"t":100,"u":0.25}'],
    ['-0 and 0', '{"t":-0}', '{"t":0}'],
    ['a duplicate key: the last one counts', '{"a":1,"a":2}', '{"a":2}'],
  ];

  it.each(same)('%s make no difference', (_name, left, right) => {
    expect(canonicalJson(json(left))).toBe(canonicalJson(json(right)));
    expect(bodyHash(json(left), true)).toBe(bodyHash(json(right), true));
  });

  const different: [string, string, string][] = [
    ['array order', '[1,2]', '[2,1]'],
    ['string case', '{"a":"x"}', '{"a":"X"}'],
    ['a number and its string', '{"a":1}', '{"a":"1"}'],
    ['null and absent', '{"a":null}', '{}'],
    ['false and 0', '{"a":false}', '{"a":0}'],
    ['near numbers', '{"t":0.7}', '{"t":0.70000000000001}'],
    ['integers past 2^53', '{"seed":12345678901234567890}', '{"seed":12345678901234567891}'],
    ['decimals past a double', '{"t":0.10000000000000001}', '{"t":0.1}'],
    ['an overflowing number and null', '{"t":1e400}', '{"t":null}'],
    ['an overflowing number and another', '{"t":1e400}', '{"t":2e400}'],
    ['an underflowing number and zero', '{"t":1e-400}', '{"t":0}'],
    ['a key and its nested key', '{"a":{"b":1}}', '{"a.b":1}'],
  ];

  it.each(different)('%s make a difference', (_name, left, right) => {
    expect(bodyHash(json(left), true)).not.toBe(bodyHash(json(right), true));
  });

  it.each([
    ['a plain object', '{"b":[true,false,null],"a":"x"}', '{"a":"x","b":[true,false,null]}'],
    ['a top-level string', ' "x" ', '"x"'],
    ['a top-level number', '42', '42'],
    ['an empty array', '[ ]', '[]'],
    ['a __proto__ key, kept as data', '{"__proto__":{"x":1}}', '{"__proto__":{"x":1}}'],
    ['a number written with 15 significant digits', '{"a":0.123456789012345}', '{"a":0.123456789012345}'],
    [
      'a long integer of few significant digits',
      '{"a":100000000000000000000}',
      '{"a":100000000000000000000}',
    ],
    [
      'digits inside strings are not numbers',
      '{"a":"12345678901234567890e999"}',
      '{"a":"12345678901234567890e999"}',
    ],
    [
      'an escaped quote before digits in a string',
      '{"a":"\\"12345678901234567890"}',
      '{"a":"\\"12345678901234567890"}',
    ],
  ])('writes %s canonically', (_name, text, canonical) => {
    expect(canonicalJson(json(text))).toBe(canonical);
  });

  it.each([
    ['not JSON', '{"a":'],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])],
    ['a byte-order mark', '\ufeff{"a":1}'],
    ['more than 15 significant digits', '{"a":1.2345678901234567}'],
    ['an overflowing exponent', '[1e309]'],
    ['a subnormal number', '[4.9e-324]'],
    ['nesting too deep to walk', `${'['.repeat(200_000)}${']'.repeat(200_000)}`],
  ])('has no canonical form for %s', (_name, body) => {
    expect(canonicalJson(typeof body === 'string' ? json(body) : body)).toBeUndefined();
  });

  it('hashes bodies without a canonical form by their bytes, never merging different bytes', () => {
    const ff = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
    const fe = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xfe, 0x22, 0x7d]);
    expect(bodyHash(ff, true)).not.toBe(bodyHash(fe, true));
    expect(bodyHash(ff, true)).toBe(bodyHash(ff, false));
    const deep = json(`${'['.repeat(200_000)}${']'.repeat(200_000)}`);
    expect(bodyHash(deep, true)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes a non-JSON body as its bytes: whitespace and order then count', () => {
    expect(bodyHash(json('{"a":1,"b":2}'), false)).not.toBe(bodyHash(json('{"b":2,"a":1}'), false));
    expect(bodyHash(json('a=1&b=2'), false)).toBe(bodyHash(json('a=1&b=2'), false));
  });

  it('never gives JSON and bytes the same hash, even for the same text', () => {
    expect(bodyHash(json('{"a":1}'), true)).not.toBe(bodyHash(json('{"a":1}'), false));
  });

  it('has one hash for no body, whether absent or empty', () => {
    expect(bodyHash(undefined, true)).toBe(NO_BODY_HASH);
    expect(bodyHash(Buffer.alloc(0), false)).toBe(NO_BODY_HASH);
    expect(bodyHash(json(' '), false)).not.toBe(NO_BODY_HASH);
  });

  it('is SHA-256 hex', () => {
    expect(bodyHash(json('{"a":1}'), true)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('hashes of the varied header values', () => {
  it('tells an absent header from an empty one', () => {
    expect(varyValuesHash(['accept'], {})).not.toBe(varyValuesHash(['accept'], { accept: '' }));
  });

  it('ignores surrounding whitespace, in single and repeated values', () => {
    expect(varyValuesHash(['accept'], { accept: ' a ' })).toBe(varyValuesHash(['accept'], { accept: 'a' }));
    const lines = varyValuesHash(['x-tag'], { 'x-tag': [' a', 'b '] });
    expect(lines).toBe(varyValuesHash(['x-tag'], { 'x-tag': 'a, b' }));
  });

  it('depends on which header holds which value', () => {
    const names = ['accept', 'accept-language'];
    expect(varyValuesHash(names, { accept: 'x', 'accept-language': 'y' })).not.toBe(
      varyValuesHash(names, { accept: 'y', 'accept-language': 'x' }),
    );
    expect(varyValuesHash(names, { accept: 'x, y' })).not.toBe(
      varyValuesHash(names, { accept: 'x', 'accept-language': 'y' }),
    );
  });

  it('ignores headers the answer does not vary on', () => {
    expect(varyValuesHash(['accept'], { accept: 'x', cookie: 'a' })).toBe(
      varyValuesHash(['accept'], { accept: 'x' }),
    );
  });

  it('is case-sensitive in values (the upstream decides what they mean)', () => {
    expect(varyValuesHash(['accept'], { accept: 'X' })).not.toBe(varyValuesHash(['accept'], { accept: 'x' }));
  });

  it('differs between varying on nothing and varying on an absent header', () => {
    expect(varyValuesHash([], {})).not.toBe(varyValuesHash(['accept'], {}));
  });
});
