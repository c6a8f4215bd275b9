import { Option } from 'commander';
import type { Command } from 'commander';

import { enableDebugOutput } from '../shared/cli-error.js';
import { databaseFlagValues } from '../shared/option-parsers.js';
import { warmUpNextTick } from './warm-up.js';

interface ServerFlags {
  env: string;
  addr?: string;
  db?: string;
  logLevel?: string;
  logFile?: string;
  debug?: boolean;
  config?: string;
}

/** Adds `llm-proxy server`. */
export function registerServerCommand(program: Command): void {
  program
    .command('server')
    .description('serve the proxy (/v1), the management API (/manage) and the probes on one port')
    .addOption(new Option('--env <file>', 'dotenv file to load').env('ENV').default('.env'))
    .option('--addr <address>', 'listen address, e.g. :8080 or 127.0.0.1:8080 (sets LISTEN_ADDR)')
    .option('--db <path-or-url>', 'SQLite file (sets DATABASE_PATH) or postgres:// URL (sets DATABASE_URL)')
    .option('--log-level <level>', 'debug, info, warn or error (sets LOG_LEVEL)')
    .option('--log-file <file>', 'append logs to this file instead of standard output (sets LOG_FILE)')
    .option('-v, --debug', 'log at debug level and print stack traces with errors (sets DEBUG)')
    .option('-c, --config <file>', 'provider file (sets API_CONFIG_PATH)')
    .action(async (flags: ServerFlags) => {
      if (flags.debug === true) enableDebugOutput();
      warmUpNextTick();
      // Loaded on demand: the other commands start without the server's dependencies.
      const { runServer } = await import('./run-server.js');
      await runServer({
        envFile: flags.env,
        flags: {
          LISTEN_ADDR: flags.addr,
          ...databaseFlagValues(flags.db),
          LOG_LEVEL: flags.logLevel,
          LOG_FILE: flags.logFile,
          DEBUG: flags.debug === true ? 'true' : undefined,
          API_CONFIG_PATH: flags.config,
        },
      });
    });
}
