import { Option } from 'commander';
import type { Command } from 'commander';

import { readEnvFile } from '../shared/config-sources.js';
import { durationMinutes, nonEmpty } from '../shared/option-parsers.js';
import { createPrompter } from './prompter.js';
import type { SetupPlan } from './run-setup.js';
import { askSetupQuestions } from './setup-questions.js';

// One year, as for tokens issued through the management API.
const MAX_DURATION_MINUTES = 525_600;

interface SetupFlags {
  config: string;
  openaiKey?: string;
  managementToken?: string;
  db: string;
  addr: string;
  interactive?: boolean;
  project: string;
  duration: number;
  skipProject?: boolean;
}

/** Adds `llm-proxy setup`. */
export function registerSetupCommand(program: Command): void {
  program
    .command('setup')
    .description(
      'write a dotenv configuration (mode 0600), prepare the database and create a first project and token',
    )
    .option('--config <file>', 'dotenv file to write (other lines are kept)', '.env')
    .addOption(
      new Option('--openai-key <key>', 'provider API key of the project to create (none: no project)')
        .env('OPENAI_API_KEY')
        .argParser(nonEmpty),
    )
    .addOption(
      new Option('--management-token <token>', 'MANAGEMENT_TOKEN to write (default: keep or generate)').env(
        'MANAGEMENT_TOKEN',
      ),
    )
    .addOption(
      new Option('--db <path-or-url>', 'SQLite file or postgres:// URL')
        .env('DATABASE_PATH')
        .default('data/llm-proxy.db')
        .argParser(nonEmpty),
    )
    .addOption(
      new Option('--addr <address>', 'listen address to write')
        .env('LISTEN_ADDR')
        .default('localhost:8080')
        .argParser(nonEmpty),
    )
    .option('--interactive', 'ask for every value (answers may be piped)')
    .option('--project <name>', 'name of the project to create or reuse', nonEmpty, 'DefaultProject')
    .option(
      '--duration <duration>',
      'validity of the first token: 90m, 24h, 7d (up to 365d); a bare number is hours',
      durationMinutes('hours', MAX_DURATION_MINUTES),
      24 * 60,
    )
    .option('--skip-project', 'do not create a project and token')
    .action(async (flags: SetupFlags, command: Command) => {
      const explicit = (name: string): boolean => command.getOptionValueSource(name) !== 'default';
      const plan: SetupPlan = {
        configFile: flags.config,
        openaiKey: flags.openaiKey,
        managementToken: flags.managementToken ?? '',
        database: { value: flags.db, explicit: explicit('db') },
        listenAddress: { value: flags.addr, explicit: explicit('addr') },
        project:
          flags.skipProject === true ? undefined : { name: flags.project, durationMinutes: flags.duration },
      };
      const { runSetup } = await import('./run-setup.js');
      if (flags.interactive !== true) {
        await runSetup(plan);
        return;
      }
      const prompter = createPrompter();
      let answered: SetupPlan;
      try {
        answered = await askSetupQuestions(prompter, {
          plan,
          existing: readEnvFile(flags.config),
          maxDurationMinutes: MAX_DURATION_MINUTES,
        });
      } finally {
        prompter.close();
      }
      await runSetup(answered);
    });
}
