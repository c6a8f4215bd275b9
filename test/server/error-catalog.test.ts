import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { ERRORS } from '../../src/core/index.js';

interface DocumentedError {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

const ROW = /^\|\s*`([a-z0-9_]+)`\s*\|\s*(\d{3})\s*\|\s*([^|]*?)\s*\|/;

function documentedErrors(): DocumentedError[] {
  const text = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  return text.split('\n').flatMap((line) => {
    const match = ROW.exec(line);
    return match ? [{ code: match[1]!, status: Number(match[2]), message: match[3]! }] : [];
  });
}

describe('error catalog', () => {
  const catalog = Object.values(ERRORS);
  const documented = documentedErrors();

  it('never uses a code twice', () => {
    const codes = catalog.map((entry) => entry.code);
    expect(codes.filter((code, index) => codes.indexOf(code) !== index)).toEqual([]);
  });

  it('documents every code in docs/errors.md with its status and message', () => {
    const byCode = new Map(documented.map((entry) => [entry.code, entry]));
    const missing = catalog.filter((entry) => !byCode.has(entry.code)).map((entry) => entry.code);
    expect(missing, 'codes missing from docs/errors.md').toEqual([]);
    for (const entry of catalog) {
      expect(byCode.get(entry.code), entry.code).toEqual({
        code: entry.code,
        status: entry.status,
        message: entry.message,
      });
    }
  });

  it('documents no code twice and none that the catalog lacks', () => {
    const codes = documented.map((entry) => entry.code);
    expect(codes.filter((code, index) => codes.indexOf(code) !== index)).toEqual([]);
    const known = new Set<string>(catalog.map((entry) => entry.code));
    expect(
      codes.filter((code) => !known.has(code)),
      'stale codes in docs/errors.md',
    ).toEqual([]);
  });

  it('uses HTTP error statuses and snake_case codes', () => {
    for (const entry of catalog) {
      expect(entry.status, entry.code).toBeGreaterThanOrEqual(400);
      expect(entry.status, entry.code).toBeLessThan(600);
      expect(entry.code).toMatch(/^[a-z][a-z0-9_]*$/);
    }
  });
});
