import { createHash } from 'node:crypto';
import { v7 as uuidv7, parse as parseUuid } from 'uuid';

import { obfuscateToken } from './obfuscate.js';

const TOKEN_PREFIX = 'sk-';
const TOKEN_PATTERN = /^sk-[A-Za-z0-9_-]{22}$/;
const HASH_PATTERN = /^[0-9a-f]{64}$/;

/** A new proxy token: `sk-` + base64url (no padding) of the 16 bytes of a UUIDv7 — 25 characters. */
export function generateToken(): string {
  return TOKEN_PREFIX + Buffer.from(parseUuid(uuidv7())).toString('base64url');
}

/** Why a string is not a well-formed proxy token, or undefined when it is one. */
export function tokenFormatProblem(value: string): string | undefined {
  if (!value.startsWith(TOKEN_PREFIX)) return 'token must start with sk-';
  if (value.length !== 25) return 'token must be 25 characters long';
  if (!TOKEN_PATTERN.test(value)) return 'token contains characters outside base64url';
  return undefined;
}

/** Whether a string is a well-formed proxy token (checked before any lookup). */
export function isTokenFormat(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

/** The lookup key stored instead of the token: lowercase hex SHA-256 of the secret. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Whether a stored token value is already a SHA-256 hex digest. */
export function isTokenHash(value: string): boolean {
  return HASH_PATTERN.test(value);
}

/** The masked form kept beside the hash so that lists can show which token is which. */
export function tokenPreview(token: string): string {
  return obfuscateToken(token);
}
