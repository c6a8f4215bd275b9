import { existsSync } from 'node:fs';

import { Option } from 'commander';
import type { Command } from 'commander';

import type { DatabaseConfig } from '../../config/index.js';
import type { Store } from '../../store/index.js';
import { CliError } from '../shared/cli-error.js';
import {
  assertEnvFileExists,
  commandSources,
  envFileNamed,
  resolveDatabaseConfig,
} from '../shared/config-sources.js';
import type { DatabaseCommandConfig } from '../shared/config-sources.js';
import { databaseFlagValues } from '../shared/option-parsers.js';
import { createPrompter } from '../setup/prompter.js';
import { registerEncryptCommands } from './migrate-encrypt-command.js';
import { downEffect } from './migration-effects.js';

interface MigrateFlags {
  env: string;
  db?: string;
}

interface DownFlags {
  yes?: boolean;
}

/** Adds `llm-proxy migrate up|down|status|encrypt|encrypt-status`. */
export function registerMigrateCommand(program: Command): void {
  const migrate = program
    .command('migrate')
    .description('apply, revert or list database migrations; encrypt secrets at rest (SQLite and PostgreSQL)')
    .addOption(new Option('--env <file>', 'dotenv file to load').env('ENV').default('.env'))
    .option(
      '--db <path-or-url>',
      'SQLite file (sets DATABASE_PATH) or postgres:// URL (sets DATABASE_URL); default from DB_DRIVER, DATABASE_PATH, DATABASE_URL',
    );

  migrate
    .command('up')
    .description('apply every pending migration')
    .action(async (_options: unknown, command: Command) => {
      await migrateWith(command, async (store, label) => {
        const applied = await store.migrations.latest();
        if (applied.length === 0) {
          console.log(`${label}: up to date, no pending migrations`);
          return;
        }
        console.log(`${label}: applied ${plural(applied.length, 'migration')}`);
        for (const name of applied) console.log(`  ${name}`);
      });
    });

  migrate
    .command('down')
    .description('revert the most recently applied migration (says what it drops and asks first)')
    .option('-y, --yes', 'revert without asking')
    .action(async (flags: DownFlags, command: Command) => {
      await migrateWith(command, async (store, label) => {
        const last = (await store.migrations.status()).filter((s) => s.executedAt !== undefined).at(-1);
        if (last === undefined) {
          console.log(`${label}: no applied migration to revert`);
          return;
        }
        console.log(`${label}: reverting ${last.name} ${downEffect(last.name)}.`);
        if (flags.yes !== true && !(await confirm('Revert it? [y/N]: '))) {
          throw new CliError('not confirmed: nothing was reverted (pass --yes to revert without asking)');
        }
        const reverted = await store.migrations.down();
        for (const name of reverted) console.log(`${label}: reverted ${name}`);
      });
    });

  migrate
    .command('status')
    .alias('version')
    .description('list every migration with the time it was applied, or pending (changes nothing)')
    .action(async (_options: unknown, command: Command) => {
      const config = commandConfig(command);
      const label = describeDatabase(config.database);
      // A SQLite file that does not exist yet is not created: every migration is pending on it.
      const missing = config.database.driver === 'sqlite' && isMissingFile(config.database.path);
      const opened: DatabaseCommandConfig = missing
        ? { ...config, database: { driver: 'sqlite', path: ':memory:' } }
        : config;
      const { withStore } = await import('../shared/open-database.js');
      await withStore(opened, async (store) => {
        const states = await store.migrations.status();
        const width = Math.max(0, ...states.map((state) => state.name.length));
        console.log(missing ? `${label} (the file does not exist yet)` : label);
        for (const state of states) {
          const when =
            state.executedAt === undefined ? 'pending' : `applied ${state.executedAt.toISOString()}`;
          console.log(`  ${state.name.padEnd(width)}  ${when}`);
        }
        const pending = states.filter((state) => state.executedAt === undefined).length;
        console.log(`${plural(states.length, 'migration')}, ${pending} pending`);
      });
    });

  registerEncryptCommands(migrate, migrateWith);
}

/** Runs work against the database the `migrate` flags name, labelled without credentials. */
export type MigrateRunner = (
  command: Command,
  work: (store: Store, label: string, config: DatabaseCommandConfig) => Promise<void>,
) => Promise<void>;

const migrateWith: MigrateRunner = async (command, work) => {
  const config = commandConfig(command);
  const { withStore } = await import('../shared/open-database.js');
  await withStore(config, (store) => work(store, describeDatabase(config.database), config));
};

function commandConfig(command: Command): DatabaseCommandConfig {
  const flags = command.optsWithGlobals<MigrateFlags>();
  assertEnvFileExists(flags.env, envFileNamed(command));
  return resolveDatabaseConfig(commandSources(flags.env, databaseFlagValues(flags.db)));
}

async function confirm(question: string): Promise<boolean> {
  const prompter = createPrompter();
  try {
    return /^y(es)?$/i.test((await prompter.ask(question))?.trim() ?? '');
  } finally {
    prompter.close();
  }
}

function isMissingFile(path: string): boolean {
  return path !== ':memory:' && !path.startsWith('file:') && !existsSync(path);
}

/** Names the database without its credentials. */
function describeDatabase(database: DatabaseConfig): string {
  if (database.driver === 'sqlite') return `sqlite ${database.path}`;
  try {
    const url = new URL(database.url);
    return `postgres ${url.host}${url.pathname}`;
  } catch {
    return 'postgres';
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
