import { randomUUID } from 'node:crypto';

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** A new random UUID (v4) for records: projects, tokens, audit events. */
export function newId(): string {
  return randomUUID();
}

/**
 * Whether a path id is well-formed. UUIDs are what we issue; ids written by older deployments may be any short
 * URL-safe string, so only the character set and length are checked.
 */
export function isWellFormedId(value: string): boolean {
  return ID_PATTERN.test(value);
}
