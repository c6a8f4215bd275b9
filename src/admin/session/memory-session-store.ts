import { hasEnded, newSession, randomId, sessionKey } from './session-store.js';
import type { AdminSession, Flash, NewSession, SessionStore } from './session-store.js';

/** Sessions held at most by one memory store; past it the least recently used one is signed out. */
const MAX_SESSIONS = 10_000;

/** Sessions in this process's memory, bounded; a restart signs everyone out, and other instances never see them. */
export class MemorySessionStore implements SessionStore {
  readonly #sessions = new Map<string, AdminSession>();

  create(options: NewSession): Promise<{ readonly id: string; readonly session: AdminSession }> {
    const id = randomId();
    const session = newSession(id, options);
    this.#sessions.set(session.key, session);
    this.#evictBeyondBound();
    return Promise.resolve({ id, session });
  }

  touch(id: string, now: number): Promise<AdminSession | undefined> {
    const key = sessionKey(id);
    const held = this.#sessions.get(key);
    if (held === undefined) return Promise.resolve(undefined);
    if (hasEnded(held, now)) {
      this.#sessions.delete(key);
      return Promise.resolve(undefined);
    }
    const session = { ...held, lastSeenAt: now };
    // Map order is the eviction order: the most recently used session goes last.
    this.#sessions.delete(key);
    this.#sessions.set(key, session);
    return Promise.resolve(session);
  }

  setFlash(session: AdminSession, flash: Flash | undefined): Promise<void> {
    const held = this.#sessions.get(session.key);
    // Replacing a value keeps its place in the Map: a notice is no use of the session.
    if (held !== undefined) this.#sessions.set(session.key, { ...held, flash });
    return Promise.resolve();
  }

  delete(id: string): Promise<void> {
    this.#sessions.delete(sessionKey(id));
    return Promise.resolve();
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
