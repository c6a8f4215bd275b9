import { createHash, randomBytes } from 'node:crypto';

/** Sessions held at most by one memory store; past it the least recently used one is signed out. */
const MAX_SESSIONS = 10_000;

/** One signed-in browser. The id itself lives only in the cookie; stores key sessions by its hash. */
export interface AdminSession {
  /** SHA-256 of the cookie's id (hex): what the store keys by, so a dump of the store signs nobody in. */
  readonly key: string;
  /** The synchronizer token every state-changing form carries back. */
  readonly csrfToken: string;
  readonly createdAt: number;
  lastSeenAt: number;
  /** Epoch ms past which the session ends however active it is. */
  readonly expiresAt: number;
  /** How long the session may go unused. */
  readonly idleTimeoutMs: number;
  /** "Remember me": the cookie is given a Max-Age and outlives the browser. */
  readonly remember: boolean;
  /** A one-time notice shown on the next page ("Project created"). */
  flash?: { readonly kind: 'success' | 'danger' | 'info'; readonly message: string } | undefined;
}

/** Where sessions live. The memory store serves one instance; a shared store would serve several. */
export interface SessionStore {
  /** Starts a session and returns the cookie's id with it. */
  create(options: NewSession): { readonly id: string; readonly session: AdminSession };
  /** The live session of a cookie id, its last use moved to `now`; undefined when unknown or expired. */
  touch(id: string, now: number): AdminSession | undefined;
  /** Ends a session (sign-out); unknown ids are ignored. */
  delete(id: string): void;
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

/** Sessions in this process's memory, bounded; a restart signs everyone out. */
export class MemorySessionStore implements SessionStore {
  readonly #sessions = new Map<string, AdminSession>();

  create(options: NewSession): { readonly id: string; readonly session: AdminSession } {
    const id = randomId();
    const session: AdminSession = {
      key: sessionKey(id),
      csrfToken: randomId(),
      createdAt: options.now,
      lastSeenAt: options.now,
      expiresAt: options.now + options.maxAgeMs,
      idleTimeoutMs: options.idleTimeoutMs,
      remember: options.remember,
    };
    this.#sessions.set(session.key, session);
    this.#evictBeyondBound();
    return { id, session };
  }

  touch(id: string, now: number): AdminSession | undefined {
    const key = sessionKey(id);
    const session = this.#sessions.get(key);
    if (session === undefined) return undefined;
    if (now >= session.expiresAt || now - session.lastSeenAt >= session.idleTimeoutMs) {
      this.#sessions.delete(key);
      return undefined;
    }
    session.lastSeenAt = now;
    // Map order is the eviction order: the most recently used session goes last.
    this.#sessions.delete(key);
    this.#sessions.set(key, session);
    return session;
  }

  delete(id: string): void {
    this.#sessions.delete(sessionKey(id));
  }

  /** Sessions held (for tests and the events page). */
  get size(): number {
    return this.#sessions.size;
  }

  #evictBeyondBound(): void {
    while (this.#sessions.size > MAX_SESSIONS) {
      const oldest = this.#sessions.keys().next();
      if (oldest.done === true) return;
      this.#sessions.delete(oldest.value);
    }
  }
}
