import type { AdminSessionStoreConfig } from '../../config/index.js';
import type { Logger } from '../../core/index.js';
import { MemorySessionStore } from './memory-session-store.js';
import { RedisSessionStore } from './redis-session-store.js';
import type { RedisSessionClient } from './redis-session-store.js';
import type { SessionStore } from './session-store.js';

/** What {@link createSessionStore} builds a store over. */
export interface SessionStoreDeps {
  /** The process's shared Redis client; required for `redis`. */
  readonly redis: RedisSessionClient | undefined;
  readonly logger: Logger;
}

/** The session store `ADMIN_UI_SESSION_STORE` names. */
export function createSessionStore(config: AdminSessionStoreConfig, deps: SessionStoreDeps): SessionStore {
  switch (config.type) {
    case 'memory':
      return new MemorySessionStore();
    case 'redis':
      if (deps.redis === undefined) throw new Error('ADMIN_UI_SESSION_STORE=redis needs a Redis client');
      return new RedisSessionStore({ client: deps.redis, logger: deps.logger, keyPrefix: config.keyPrefix });
  }
}
