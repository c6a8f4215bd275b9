import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/**
 * What a stored API key value is, as far as the configured keys can tell: `plaintext`, encrypted with the
 * `current` key, with one of the `previous` keys, or `unreadable` (encrypted with a key that is not configured,
 * or damaged).
 */
export type StoredKeyState = 'plaintext' | 'current' | 'previous' | 'unreadable';

/** Encrypts provider API keys at rest and reads them back; plaintext values pass through on read. */
export interface ApiKeyCipher {
  /** Whether new values are encrypted (an ENCRYPTION_KEY is configured). */
  readonly enabled: boolean;
  /** Encrypts with the current key (returns the value as given when no key is configured). */
  encrypt(plaintext: string): string;
  /** Reads a stored value with the current key or any previous one; plaintext passes through. */
  decrypt(stored: string): string;
  /** Which key a stored value was written with (for `migrate encrypt` and `encrypt-status`). */
  stateOf(stored: string): StoredKeyState;
}

/** Whether a stored value is in the `enc:v1:` format. */
export function isEncryptedValue(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

/** A new random ENCRYPTION_KEY: base64 of 32 bytes. */
export function generateEncryptionKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/** Decodes an ENCRYPTION_KEY value; returns undefined when it is not base64 of exactly 32 bytes. */
export function decodeEncryptionKey(value: string): Buffer | undefined {
  const trimmed = value.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) return undefined;
  const key = Buffer.from(trimmed, 'base64');
  return key.length === KEY_BYTES ? key : undefined;
}

/**
 * AES-256-GCM in the original program's format: `enc:v1:` + base64(nonce ‖ ciphertext ‖ tag), a random
 * 12-byte nonce per value. New values use `key`; values written with one of `previousKeys` (an ENCRYPTION_KEY
 * rotated out) are still read — GCM's tag tells which key a value belongs to, so the format needs no key id
 * and stays the one the original wrote. Without a key, values are stored as given and encrypted values cannot
 * be read.
 */
export function createApiKeyCipher(
  key: Buffer | undefined,
  previousKeys: readonly Buffer[] = [],
): ApiKeyCipher {
  if (key === undefined) {
    return {
      enabled: false,
      encrypt: (plaintext) => plaintext,
      decrypt(stored) {
        if (isEncryptedValue(stored)) {
          throw new Error('API key is encrypted but no ENCRYPTION_KEY is configured');
        }
        return stored;
      },
      stateOf: (stored) => (isEncryptedValue(stored) ? 'unreadable' : 'plaintext'),
    };
  }
  for (const candidate of [key, ...previousKeys]) {
    if (candidate.length !== KEY_BYTES) throw new Error('ENCRYPTION_KEY must be 32 bytes');
  }
  const keys = [key, ...previousKeys];
  return {
    enabled: true,
    encrypt(plaintext) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return PREFIX + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64');
    },
    decrypt(stored) {
      if (!isEncryptedValue(stored)) return stored;
      const raw = Buffer.from(stored.slice(PREFIX.length), 'base64');
      if (raw.length < NONCE_BYTES + TAG_BYTES) throw new Error('encrypted API key is truncated');
      for (const candidate of keys) {
        const plaintext = openWith(candidate, raw);
        if (plaintext !== undefined) return plaintext;
      }
      throw new Error(
        'encrypted API key cannot be decrypted with ENCRYPTION_KEY or ENCRYPTION_KEYS_PREVIOUS (wrong key?)',
      );
    },
    stateOf(stored) {
      if (!isEncryptedValue(stored)) return 'plaintext';
      const raw = Buffer.from(stored.slice(PREFIX.length), 'base64');
      if (raw.length < NONCE_BYTES + TAG_BYTES) return 'unreadable';
      if (openWith(key, raw) !== undefined) return 'current';
      return previousKeys.some((candidate) => openWith(candidate, raw) !== undefined)
        ? 'previous'
        : 'unreadable';
    },
  };
}

/** Decrypts nonce ‖ ciphertext ‖ tag with one key; undefined when the tag does not match that key. */
function openWith(key: Buffer, raw: Buffer): string | undefined {
  const nonce = raw.subarray(0, NONCE_BYTES);
  const tag = raw.subarray(raw.length - TAG_BYTES);
  const body = raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
