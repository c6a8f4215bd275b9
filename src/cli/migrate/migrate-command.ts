import { Option } from 'commander';
import type { Command } from 'commander';

import type { DatabaseConfig } from '../../config/index.js';
import type { Store } from '../../store/index.js';
import { commandSources, resolveDatabaseConfig } from '../shared/config-sources.js';
import { databaseFlagValues } from '../shared/option-parsers.js';

interface MigrateFlags {
  env: string;
  db?: string;
}

/** Adds `llm-proxy migrate up|down|status`. */
export function registerMigrateCommand(program: Command): void {
  const migrate = program
    .command('migrate')
    .description('apply, revert or list database migrations (SQLite and PostgreSQL)')
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
    .description('revert the most recently applied migration')
    .action(async (_options: unknown, command: Command) => {
      await migrateWith(command, async (store, label) => {
        const reverted = await store.migrations.down();
        if (reverted.length === 0) {
          console.log(`${label}: no applied migration to revert`);
          return;
        }
        for (const name of reverted) console.log(`${label}: reverted ${name}`);
      });
    });

  migrate
    .command('status')
    .alias('version')
    .description('list every migration with the time it was applied, or pending')
    .action(async (_options: unknown, command: Command) => {
      await migrateWith(command, async (store, label) => {
        const states = await store.migrations.status();
        const width = Math.max(0, ...states.map((state) => state.name.length));
        console.log(label);
        for (const state of states) {
          const when =
            state.executedAt === undefined ? 'pending' : `applied ${state.executedAt.toISOString()}`;
          console.log(`  ${state.name.padEnd(width)}  ${when}`);
        }
        const pending = states.filter((state) => state.executedAt === undefined).length;
        console.log(`${plural(states.length, 'migration')}, ${pending} pending`);
      });
    });
}

async function migrateWith(
  command: Command,
  work: (store: Store, label: string) => Promise<void>,
): Promise<void> {
  const flags = command.optsWithGlobals<MigrateFlags>();
  const config = resolveDatabaseConfig(commandSources(flags.env, databaseFlagValues(flags.db)));
  const { withStore } = await import('../shared/open-database.js');
  await withStore(config, (store) => work(store, describeDatabase(config.database)));
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
