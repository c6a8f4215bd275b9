import { describe, expect, it } from 'vitest';

import { findParamViolation, isJsonContentType } from '../../src/proxy/param-whitelist.js';
import { globMatches } from '../../src/proxy/glob-match.js';

describe('param whitelist globs (Go path.Match semantics)', () => {
  it('matches *, ? and character classes, never across /', () => {
    expect(globMatches('gpt-4o*', 'gpt-4o-mini')).toBe(true);
    expect(globMatches('gpt-4o', 'gpt-4o-mini')).toBe(false);
    expect(globMatches('o?-mini', 'o4-mini')).toBe(true);
    expect(globMatches('gpt-[34]*', 'gpt-3.5-turbo')).toBe(true);
    expect(globMatches('gpt-[!34]*', 'gpt-3.5-turbo')).toBe(false);
    expect(globMatches('ft:*', 'ft:org/model')).toBe(false);
    expect(globMatches('a.b', 'axb')).toBe(false);
  });

  it('reports the first whitelisted field whose value matches no pattern', () => {
    const whitelist = { model: ['gpt-4o*'], n: ['1'] };
    expect(findParamViolation({ model: 'gpt-4o-mini', n: 1 }, whitelist)).toBeUndefined();
    expect(findParamViolation({ model: 'gpt-3.5-turbo' }, whitelist)).toEqual({
      field: 'model',
      value: 'gpt-3.5-turbo',
      patterns: ['gpt-4o*'],
    });
    expect(findParamViolation({ n: 2 }, whitelist)?.field).toBe('n');
    expect(findParamViolation({ messages: [] }, whitelist)).toBeUndefined();
  });

  it('treats every JSON media type as JSON', () => {
    expect(isJsonContentType('application/json')).toBe(true);
    expect(isJsonContentType('application/json; charset=utf-8')).toBe(true);
    expect(isJsonContentType('Application/JSON')).toBe(true);
    expect(isJsonContentType('application/merge-patch+json')).toBe(true);
    expect(isJsonContentType('multipart/form-data; boundary=x')).toBe(false);
    expect(isJsonContentType(undefined)).toBe(false);
  });
});
