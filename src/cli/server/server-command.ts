import { Option } from 'commander';
import type { Command } from 'commander';

import { enableDebugOutput, usageError } from '../shared/cli-error.js';
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
  pidFile?: string;
  daemon?: boolean;
}

/** Why `--daemon` is refused, and what to do instead. */
const NO_DAEMON =
  '--daemon is not supported: a Node.js process cannot fork itself into the background safely. Run the server under a supervisor (a systemd service, supervisord, a container) or detach it from the shell: `nohup llm-proxy server --log-file data/server.log --pid-file data/server.pid > /dev/null 2>&1 &`';

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
    .addOption(
      new Option(
        '--pid-file <file>',
        'write the process id here while serving (refused if it names a running process)',
      ).env('PID_FILE'),
    )
    .option('-d, --daemon', 'not supported: prints how to run the server in the background instead')
    .action(async (flags: ServerFlags, command: Command) => {
      if (flags.daemon === true) throw usageError(NO_DAEMON);
      if (flags.debug === true) enableDebugOutput();
      warmUpNextTick();
      // Loaded on demand: the other commands start without the server's dependencies.
      const { runServer } = await import('./run-server.js');
      await runServer({
        envFile: flags.env,
        envFileExplicit: command.getOptionValueSource('env') !== 'default',
        pidFile: flags.pidFile,
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
