import { describe, expect, it } from 'vitest';

import { generateToken, hashToken, isTokenFormat, tokenFormatProblem } from '../../src/core/index.js';

describe('token format', () => {
  it('is sk- plus base64url of a UUIDv7: 25 characters, time-ordered', () => {
    const tokens = Array.from({ length: 50 }, () => generateToken());
    for (const token of tokens) {
      expect(token).toMatch(/^sk-[A-Za-z0-9_-]{22}$/);
      const bytes = Buffer.from(token.slice(3), 'base64url');
      expect(bytes).toHaveLength(16);
      expect(bytes[6]! >> 4).toBe(7);
    }
    expect(new Set(tokens).size).toBe(50);
  });

  it('explains malformed tokens', () => {
    expect(tokenFormatProblem('bearer-thing')).toMatch(/sk-/);
    expect(tokenFormatProblem('sk-short')).toMatch(/25/);
    expect(tokenFormatProblem('sk-AAAAAAAAAAAAAAAAAAAA!!')).toMatch(/base64url/);
    expect(isTokenFormat(generateToken())).toBe(true);
  });

  it('hashes to lowercase SHA-256 hex', () => {
    expect(hashToken('sk-AAAAAAAAAAAAAAAAAAAAAA')).toMatch(/^[0-9a-f]{64}$/);
  });
});
