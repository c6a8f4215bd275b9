import { describe, expect, it } from 'vitest';

import { keyMask } from '../../src/proxy/taps/key-mask-tap.js';

describe('keyMask', () => {
  it('has the length of the key and hides all but 4 characters at each end', () => {
    const key = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123';
    const mask = keyMask(key);
    expect(mask).toHaveLength(key.length);
    expect(mask).toBe(`sk-p${'*'.repeat(key.length - 8)}0123`);
  });

  it('hides a short key entirely', () => {
    expect(keyMask('abcdefghij')).toBe('**********');
  });
});
