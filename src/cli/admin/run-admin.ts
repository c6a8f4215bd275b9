import { ConfigError, parseListenAddress, resolveConfig } from '../../config/index.js';
import { createSessionStore, createStandaloneAdmin } from '../../admin/index.js';
import { openRedisClients } from '../../redis/index.js';
import type { RedisClients } from '../../redis/index.js';
import { createLogger } from '../../server/index.js';
import { CliError, errorCodeOf } from '../shared/cli-error.js';
import { assertEnvFileExists, commandSources } from '../shared/config-sources.js';
import { waitForShutdown } from '../shared/shutdown.js';
import { bindHost, listenError } from '../server/listen-address.js';

const BIND_ERRORS = new Set(['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL', 'ENOTFOUND']);

/** What `llm-proxy admin` was started with. */
export interface RunAdminOptions {
  readonly envFile: string;
  readonly envFileExplicit: boolean;
  /** `--listen` / ADMIN_UI_LISTEN_ADDR, as written. */
  readonly listen: string;
  readonly apiBaseUrl: string;
  readonly proxyBaseUrl: string | undefined;
  /** Configuration variables set by flags. */
  readonly flags: Readonly<Record<string, string | undefined>>;
}

/** Serves the admin UI until SIGINT or SIGTERM; a configuration problem stops it at start with every problem. */
export async function runAdmin(options: RunAdminOptions): Promise<void> {
  assertEnvFileExists(options.envFile, options.envFileExplicit);
  const sources = commandSources(options.envFile, options.flags);
  const problems: string[] = [];
  let config: ReturnType<typeof resolveAdminConfig> | undefined;
  try {
    config = resolveAdminConfig(sources);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  const listen = parseListenAddress(options.listen);
  if (!listen.ok) problems.push(`ADMIN_UI_LISTEN_ADDR (--listen): ${listen.problem}`);
  if (config === undefined || !listen.ok) throw new ConfigError(problems);

  const log = await createLogger(config.log);
  const { sessionStore } = config.admin;
  // Sessions in Redis let several admin processes behind one load balancer share sign-ins.
  const redis: RedisClients | undefined =
    sessionStore.type === 'redis'
      ? await openRedisClients({ url: sessionStore.url, logger: log.logger })
      : undefined;
  const app = await createStandaloneAdmin({
    apiBaseUrl: options.apiBaseUrl,
    managementToken: config.managementToken,
    session: config.admin.session,
    sessions: createSessionStore(sessionStore, { redis: redis?.client, logger: log.logger }),
    logger: log.logger,
    ...(options.proxyBaseUrl === undefined ? {} : { proxyBaseUrl: options.proxyBaseUrl }),
  });
  const closeAll = async (): Promise<void> => {
    await app.close();
    await redis?.close();
  };
  let address: string;
  try {
    address = await app.listen({ host: bindHost(listen.value), port: listen.value.port });
  } catch (error) {
    await closeAll();
    await log.close();
    throw BIND_ERRORS.has(errorCodeOf(error)) ? listenError(listen.value, error) : error;
  }
  log.logger
    .child({}, { level: 'info' })
    .info({ address, apiBaseUrl: options.apiBaseUrl }, 'llm-proxy admin UI is ready');
  try {
    await waitForShutdown(log.logger, closeAll);
  } catch (error) {
    throw error instanceof CliError ? error : new CliError(String(error), { cause: error });
  } finally {
    await log.close();
  }
}

function resolveAdminConfig(sources: Parameters<typeof resolveConfig>[0]) {
  return resolveConfig(sources, ['server', 'log', 'admin']);
}
