import { adminPlugin, createSessionStore, injectedManagementApi } from '../admin/index.js';
import type { Config } from '../config/index.js';
import type { Clock, Logger } from '../core/index.js';
import type { RedisClient } from '../redis/index.js';
import type { ServerExtension } from './create-server.js';

/** What the admin UI of `llm-proxy server` is built with. */
export interface AdminUiOptions {
  readonly logger: Logger;
  readonly clock: Clock;
  /** The process's shared Redis client, when one is configured (the `redis` session store uses it). */
  readonly redis: RedisClient | undefined;
}

/**
 * The admin UI under `ADMIN_UI_PATH` when `ADMIN_UI_ENABLED`, over the server's own management API (injected, no
 * socket), its sessions in the store `ADMIN_UI_SESSION_STORE` names.
 */
export function adminUiExtension(config: Config, options: AdminUiOptions): ServerExtension {
  return async function registerAdminUi(app) {
    if (!config.admin.enabled) return;
    await app.register(adminPlugin, {
      prefix: config.admin.path,
      basePath: config.admin.path,
      managementApi: injectedManagementApi({ app, managementToken: config.managementToken }),
      session: config.admin.session,
      sessions: createSessionStore(config.admin.sessionStore, {
        redis: options.redis,
        logger: options.logger,
      }),
      logger: options.logger,
      clock: options.clock,
    });
  };
}
