import { describe, expect, it } from 'vitest';

import { looksObfuscated, obfuscateSecret, obfuscateToken } from '../../src/core/index.js';

describe('obfuscation', () => {
  it('masks secrets with the generic rule', () => {
    expect(obfuscateSecret('abcd')).toBe('****');
    expect(obfuscateSecret('abcdefghij')).toBe('ab********');
    expect(obfuscateSecret('sk-proj-abcdefghijklmnopwxyz')).toBe('sk-proj-...wxyz');
  });

  it('masks proxy tokens keeping four characters at each end', () => {
    expect(obfuscateToken('sk-AbCdEfGhIjKlMnOpQrWxYz')).toBe('sk-AbCd**************WxYz');
    expect(obfuscateToken('sk-short')).toBe('sk-*****');
  });

  it('recognises masked values so they are never saved as keys', () => {
    expect(looksObfuscated('sk-proj-...wxyz')).toBe(true);
    expect(looksObfuscated('sk-AbCd****WxYz')).toBe(true);
    expect(looksObfuscated('sk-real-key')).toBe(false);
  });
});
