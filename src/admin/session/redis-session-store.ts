import { AppError, ERRORS } from '../../core/index.js';
import type { Logger } from '../../core/index.js';
import { decodeSession, encodeSession, sessionTtlMs } from './session-codec.js';
import { hasEnded, newSession, randomId, sessionKey } from './session-store.js';
import type { AdminSession, Flash, NewSession, SessionStore } from './session-store.js';

/** The default key prefix (`ADMIN_UI_SESSION_KEY_PREFIX`). */
export const DEFAULT_SESSION_KEY_PREFIX = 'llm-proxy:admin-session:';
/** Longest a page waits for one Redis command before it answers the "unavailable" page. */
const DEFAULT_TIMEOUT_MS = 2000;

/** The commands of the shared Redis client the store uses. */
export interface RedisSessionClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, expiryToken: 'PX', milliseconds: number): Promise<unknown>;
  set(
    key: string,
    value: string,
    expiryToken: 'PX',
    milliseconds: number,
    condition: 'XX',
  ): Promise<'OK' | null>;
  set(key: string, value: string, keepTtl: 'KEEPTTL', condition: 'XX'): Promise<'OK' | null>;
  del(...keys: string[]): Promise<number>;
}

/** Options of {@link RedisSessionStore}. */
export interface RedisSessionStoreOptions {
  /** The process's shared client, opened (and closed) by the composition root. */
  readonly client: RedisSessionClient;
  readonly logger: Logger;
  /** Put in front of every key. @default 'llm-proxy:admin-session:' */
  readonly keyPrefix?: string;
  /** Longest wait for one command. @default 2000 */
  readonly timeoutMs?: number;
}

/**
 * Sessions shared by every instance that uses the same Redis and prefix: one key per session, the prefix plus
 * the SHA-256 of the cookie's id (so what Redis holds signs nobody in), its value the session as JSON. Redis
 * forgets a session when it would go idle or expire (`PX`, renewed by every request); the fields are checked
 * against the clock as well, which covers the clocks of two machines and a write that arrived late.
 *
 * When Redis cannot be reached or does not answer within `timeoutMs`, every method rejects with
 * `admin_session_store_unavailable` (503): the page says so and the cookie stays, so the operator is still
 * signed in once Redis is back — never signed out, and never signed in without a kept session.
 *
 * Two requests of one session at the same moment each write the session back whole; the last write wins,
 * which at worst moves its last use a little or shows a notice twice or not at all.
 */
export class RedisSessionStore implements SessionStore {
  readonly #client: RedisSessionClient;
  readonly #logger: Logger;
  readonly #keyPrefix: string;
  readonly #timeoutMs: number;

  constructor(options: RedisSessionStoreOptions) {
    this.#client = options.client;
    this.#logger = options.logger;
    this.#keyPrefix = options.keyPrefix ?? DEFAULT_SESSION_KEY_PREFIX;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async create(options: NewSession): Promise<{ readonly id: string; readonly session: AdminSession }> {
    const id = randomId();
    const session = newSession(id, options);
    const ttlMs = sessionTtlMs(session, options.now);
    await this.#run('create', () =>
      this.#client.set(this.#keyOf(session), encodeSession(session), 'PX', ttlMs),
    );
    return { id, session };
  }

  async touch(id: string, now: number): Promise<AdminSession | undefined> {
    const key = this.#keyPrefix + sessionKey(id);
    const text = await this.#run('touch', () => this.#client.get(key));
    if (text === null) return undefined;
    const held = decodeSession(text);
    if (held === undefined || held.key !== sessionKey(id) || hasEnded(held, now)) {
      await this.#run('touch', () => this.#client.del(key));
      return undefined;
    }
    const session: AdminSession = { ...held, lastSeenAt: now };
    const ttlMs = sessionTtlMs(session, now);
    // XX: a sign-out on another instance since the read is not undone.
    const written = await this.#run('touch', () =>
      this.#client.set(key, encodeSession(session), 'PX', ttlMs, 'XX'),
    );
    return written === null ? undefined : session;
  }

  async setFlash(session: AdminSession, flash: Flash | undefined): Promise<void> {
    const next: AdminSession = { ...session, flash };
    // KEEPTTL: the request's own touch has just set how long the session lives; XX: nor is an ended one revived.
    await this.#run('flash', () =>
      this.#client.set(this.#keyOf(session), encodeSession(next), 'KEEPTTL', 'XX'),
    );
  }

  async delete(id: string): Promise<void> {
    await this.#run('delete', () => this.#client.del(this.#keyPrefix + sessionKey(id)));
  }

  #keyOf(session: AdminSession): string {
    return this.#keyPrefix + session.key;
  }

  async #run<T>(operation: string, command: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`no answer within ${String(this.#timeoutMs)} ms`));
      }, this.#timeoutMs);
    });
    try {
      const answer = command();
      // A command that answers after the timer must not become an unhandled rejection.
      answer.catch(ignore);
      return await Promise.race([answer, timedOut]);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#logger.warn({ operation, err: { message } }, 'admin session store unavailable');
      throw new AppError(ERRORS.ADMIN_SESSION_STORE_UNAVAILABLE, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}

function ignore(): void {
  // Its failure has been reported as the timeout already.
}
