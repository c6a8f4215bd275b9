import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import { ConfigError, configWarnings, resolveConfig, writeDotenvValues } from '../../config/index.js';
import type { Config, ConfigSources } from '../../config/index.js';
import { createLogger, startGateway } from '../../server/index.js';
import type { Gateway } from '../../server/index.js';
import { CliError, enableDebugOutput, errorCodeOf } from '../shared/cli-error.js';
import { COMMAND_VARIABLES } from '../shared/command-variables.js';
import { assertEnvFileExists, commandSources, mergedValue } from '../shared/config-sources.js';
import { describe } from '../shared/open-database.js';
import { generateManagementToken } from '../shared/secrets.js';
import { waitForShutdown } from '../shared/shutdown.js';
import { assertCanListen, bindHost, listenError } from './listen-address.js';
import { claimPidFile } from './pid-file.js';

const BIND_ERRORS = new Set(['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL', 'ENOTFOUND']);

/** What `llm-proxy server` was started with. */
export interface RunServerOptions {
  /** The dotenv file to read (and to store a generated MANAGEMENT_TOKEN in). */
  readonly envFile: string;
  /** Whether the file was named (`--env`, `ENV`): then it must exist; the default `.env` may be missing. */
  readonly envFileExplicit?: boolean;
  /** Where to write the process id while serving (`--pid-file`). */
  readonly pidFile?: string | undefined;
  /** Configuration variables set by flags. */
  readonly flags: Readonly<Record<string, string | undefined>>;
}

/**
 * Starts the server and serves until SIGINT or SIGTERM, then shuts down gracefully (30 s deadline). Resolves
 * once stopped; startup and shutdown failures reject with a one-line error.
 */
export async function runServer(options: RunServerOptions): Promise<void> {
  assertEnvFileExists(options.envFile, options.envFileExplicit === true);
  const sources = commandSources(options.envFile, options.flags);
  const config = resolveServerConfig(sources, options.envFile);
  if (config.log.level === 'debug') enableDebugOutput();
  await assertCanListen(config.listen);
  const pidFile = options.pidFile === undefined ? undefined : claimPidFile(options.pidFile);
  try {
    await serve(config, sources, options.envFile);
  } finally {
    pidFile?.release();
  }
}

async function serve(config: Config, sources: ConfigSources, envFile: string): Promise<void> {
  // The command owns the logger: it still logs after the gateway has closed.
  const log = await createLogger(config.log);
  const { logger } = log;
  const warnings = configWarnings(sources, config, {
    commandVariables: COMMAND_VARIABLES,
    dotenvLabel: envFile,
  });
  for (const warning of warnings) logger.warn(warning);
  let gateway: Gateway;
  try {
    gateway = await startGateway(config, { logger });
  } catch (error) {
    await log.close();
    // A configuration problem found while opening a part (a price file) is reported like any other: all of it.
    throw error instanceof CliError || error instanceof ConfigError
      ? error
      : new CliError(describe(error), { cause: error });
  }
  let address: string;
  try {
    address = await gateway.app.listen({ host: bindHost(config.listen), port: config.listen.port });
  } catch (error) {
    await gateway.close();
    await log.close();
    throw BIND_ERRORS.has(errorCodeOf(error)) ? listenError(config.listen, error) : error;
  }
  // Written at info whatever LOG_LEVEL says: at warn or error an operator still learns that the server is up.
  logger.child({}, { level: 'info' }).info(
    {
      address,
      database: config.database.driver,
      providers: [...config.providers.providers.values()].map(({ name, origin }) => ({
        name,
        baseUrl: origin,
      })),
      providersFrom: config.providers.source,
    },
    'llm-proxy is ready',
  );
  try {
    await waitForShutdown(logger, () => gateway.close());
  } finally {
    await log.close();
  }
}

/**
 * Resolves the configuration, once (the provider file is read once). On a first start without any
 * MANAGEMENT_TOKEN, one is generated, stored in the dotenv file and printed once — but only when the rest of the
 * configuration is valid, so that a broken start leaves nothing behind.
 */
function resolveServerConfig(sources: ConfigSources, envFile: string): Config {
  if (mergedValue(sources, 'MANAGEMENT_TOKEN') !== '') return resolveConfig(sources);
  const token = generateManagementToken();
  const config = resolveConfig({ ...sources, flags: { ...sources.flags, MANAGEMENT_TOKEN: token } });
  try {
    mkdirSync(dirname(envFile), { recursive: true });
    writeDotenvValues(envFile, { MANAGEMENT_TOKEN: token });
  } catch (error) {
    throw new CliError(
      `no MANAGEMENT_TOKEN is configured and ${envFile} cannot be written to store a new one (${errorCodeOf(error)}); set MANAGEMENT_TOKEN or run \`llm-proxy setup\``,
      { cause: error },
    );
  }
  console.log(
    [
      `No MANAGEMENT_TOKEN was configured: generated one and saved it in ${envFile} (readable by its owner only).`,
      '',
      `  MANAGEMENT_TOKEN=${token}`,
      '',
      'It is the bearer token for /manage/* and `llm-proxy manage`. It is not shown again.',
      '',
    ].join('\n'),
  );
  return config;
}
