import { createHash, randomBytes } from 'node:crypto';

/** A one-time notice shown on the next page a session renders ("Project created"). */
export interface Flash {
  readonly kind: 'success' | 'danger' | 'info';
  readonly message: string;
}

/** One signed-in browser. The id itself lives only in the cookie; stores key sessions by its hash. */
export interface AdminSession {
  /** SHA-256 of the cookie's id (hex): what the store keys by, so a dump of the store signs nobody in. */
  readonly key: string;
  /** The synchronizer token every state-changing form carries back. */
  readonly csrfToken: string;
  readonly createdAt: number;
  /** Epoch ms of the session's last request. */
  readonly lastSeenAt: number;
  /** Epoch ms past which the session ends however active it is. */
  readonly expiresAt: number;
  /** How long the session may go unused. */
  readonly idleTimeoutMs: number;
  /** "Remember me": the cookie is given a Max-Age and outlives the browser. */
  readonly remember: boolean;
  /** The notice waiting for the session's next page, if any. */
  readonly flash?: Flash | undefined;
}

/**
 * Where sessions live: in this process ({@link MemorySessionStore}) or shared by every instance
 * (`RedisSessionStore`). Every method is asynchronous, since a shared store is across the network; one that
 * cannot reach its backend rejects with the `admin_session_store_unavailable` error rather than answering
 * "no such session", which would sign the operator out.
 */
export interface SessionStore {
  /** Starts a session and returns the cookie's id with it. */
  create(options: NewSession): Promise<{ readonly id: string; readonly session: AdminSession }>;
  /** The live session of a cookie id, its last use moved to `now`; undefined when unknown or expired. */
  touch(id: string, now: number): Promise<AdminSession | undefined>;
  /** Leaves a notice for the session's next page, or (undefined) clears it; an ended session is left ended. */
  setFlash(session: AdminSession, flash: Flash | undefined): Promise<void>;
  /** Ends a session (sign-out); unknown ids are ignored. */
  delete(id: string): Promise<void>;
}

/** What a sign-in decides about its session. */
export interface NewSession {
  readonly now: number;
  readonly idleTimeoutMs: number;
  readonly maxAgeMs: number;
  readonly remember: boolean;
}

/** A random cookie value: 256 bits, base64url. */
export function randomId(): string {
  return randomBytes(32).toString('base64url');
}

/** The store key of a cookie id. */
export function sessionKey(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/** A new session, keyed by the hash of its cookie id. */
export function newSession(id: string, options: NewSession): AdminSession {
  return {
    key: sessionKey(id),
    csrfToken: randomId(),
    createdAt: options.now,
    lastSeenAt: options.now,
    expiresAt: options.now + options.maxAgeMs,
    idleTimeoutMs: options.idleTimeoutMs,
    remember: options.remember,
  };
}

/** Whether a session has ended at `now`: past its absolute expiry, or unused for its idle timeout. */
export function hasEnded(session: AdminSession, now: number): boolean {
  return now >= session.expiresAt || now - session.lastSeenAt >= session.idleTimeoutMs;
}
