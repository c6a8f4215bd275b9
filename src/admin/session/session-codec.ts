import { parseJsonObject } from '../../core/index.js';
import type { AdminSession, Flash } from './session-store.js';

const FLASH_KINDS: ReadonlySet<string> = new Set(['success', 'danger', 'info']);

/** A session as a shared store keeps it: JSON of its fields (the key is the id's hash, never the id). */
export function encodeSession(session: AdminSession): string {
  return JSON.stringify(session);
}

/** The session a stored value holds; undefined for anything that is not one (a foreign or damaged value). */
export function decodeSession(text: string): AdminSession | undefined {
  const fields = parseJsonObject(text);
  if (fields === undefined) return undefined;
  const { key, csrfToken, createdAt, lastSeenAt, expiresAt, idleTimeoutMs, remember, flash } = fields;
  if (typeof key !== 'string' || typeof csrfToken !== 'string' || typeof remember !== 'boolean') {
    return undefined;
  }
  if (![createdAt, lastSeenAt, expiresAt, idleTimeoutMs].every(Number.isFinite)) return undefined;
  return {
    key,
    csrfToken,
    createdAt: createdAt as number,
    lastSeenAt: lastSeenAt as number,
    expiresAt: expiresAt as number,
    idleTimeoutMs: idleTimeoutMs as number,
    remember,
    ...(isFlash(flash) && { flash: { kind: flash.kind, message: flash.message } }),
  };
}

/**
 * How long a shared store should keep a session it has just written at `now`: until it would go idle or
 * reach its absolute expiry, whichever comes first (at least 1 ms: Redis refuses a zero `PX`).
 */
export function sessionTtlMs(session: AdminSession, now: number): number {
  const idleLeft = session.idleTimeoutMs - (now - session.lastSeenAt);
  return Math.max(1, Math.ceil(Math.min(idleLeft, session.expiresAt - now)));
}

function isFlash(value: unknown): value is Flash {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, message } = value as Record<string, unknown>;
  return typeof kind === 'string' && FLASH_KINDS.has(kind) && typeof message === 'string';
}
