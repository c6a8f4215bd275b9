import { createCipheriv } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { createApiKeyCipher, decodeEncryptionKey, generateEncryptionKey } from '../../src/core/index.js';

describe('API key cipher', () => {
  const key = Buffer.alloc(32, 1);

  it('round-trips and never repeats a ciphertext', () => {
    const cipher = createApiKeyCipher(key);
    const a = cipher.encrypt('sk-secret');
    const b = cipher.encrypt('sk-secret');
    expect(a).not.toBe(b);
    expect(a.startsWith('enc:v1:')).toBe(true);
    expect(cipher.decrypt(a)).toBe('sk-secret');
  });

  it('reads values written in the original format: base64(nonce ‖ ciphertext ‖ tag)', () => {
    const nonce = Buffer.alloc(12, 9);
    const gcm = createCipheriv('aes-256-gcm', key, nonce);
    const body = Buffer.concat([gcm.update('sk-from-go'), gcm.final()]);
    const stored = 'enc:v1:' + Buffer.concat([nonce, body, gcm.getAuthTag()]).toString('base64');
    expect(createApiKeyCipher(key).decrypt(stored)).toBe('sk-from-go');
  });

  it('passes plaintext through and refuses tampered or keyless reads', () => {
    const cipher = createApiKeyCipher(key);
    expect(cipher.decrypt('sk-plain')).toBe('sk-plain');
    const stored = cipher.encrypt('sk-secret');
    expect(() => createApiKeyCipher(Buffer.alloc(32, 2)).decrypt(stored)).toThrow();
    expect(() => createApiKeyCipher(undefined).decrypt(stored)).toThrow(/ENCRYPTION_KEY/);
  });

  it('accepts only base64 of exactly 32 bytes as a key', () => {
    expect(decodeEncryptionKey(generateEncryptionKey())?.length).toBe(32);
    expect(decodeEncryptionKey(Buffer.alloc(16).toString('base64'))).toBeUndefined();
    expect(decodeEncryptionKey('not base64!')).toBeUndefined();
  });
});

describe('API key cipher with previous keys (ENCRYPTION_KEY rotation)', () => {
  const oldKey = Buffer.alloc(32, 3);
  const newKey = Buffer.alloc(32, 4);

  it('reads values of a previous key, writes with the current one and tells them apart', () => {
    const before = createApiKeyCipher(oldKey).encrypt('sk-rotated');
    const rotated = createApiKeyCipher(newKey, [oldKey]);
    expect(rotated.decrypt(before)).toBe('sk-rotated');
    expect(rotated.stateOf(before)).toBe('previous');
    const after = rotated.encrypt('sk-rotated');
    expect(rotated.stateOf(after)).toBe('current');
    expect(createApiKeyCipher(newKey).decrypt(after)).toBe('sk-rotated');
    expect(() => createApiKeyCipher(oldKey).decrypt(after)).toThrow();
    expect(rotated.stateOf('sk-plain')).toBe('plaintext');
    expect(createApiKeyCipher(newKey).stateOf(before)).toBe('unreadable');
    expect(createApiKeyCipher(undefined).stateOf(before)).toBe('unreadable');
    expect(() => createApiKeyCipher(newKey).decrypt(before)).toThrow(/ENCRYPTION_KEYS_PREVIOUS/);
  });
});
