import { existsSync } from 'node:fs';

import type { Command } from 'commander';

import { NotDotenvError, mergeSources, readDotenvFile, resolveConfig } from '../../config/index.js';
import type { ConfigOf, ConfigSources } from '../../config/index.js';
import { CliError, errorCodeOf } from './cli-error.js';

/** What a command that only opens the database resolves. */
export type DatabaseCommandConfig = ConfigOf<'database' | 'encryption'>;

/** Reads a dotenv file for a command; a missing file is empty, an unreadable one a clear error. */
export function readEnvFile(path: string): Record<string, string> {
  try {
    return readDotenvFile(path);
  } catch (error) {
    if (error instanceof NotDotenvError) throw new CliError(error.message, { cause: error });
    throw new CliError(`cannot read ${path}: ${errorCodeOf(error)}`, { cause: error });
  }
}

/** Whether the command's `--env` was given (flag or `ENV`) rather than left at its default. */
export function envFileNamed(command: Command): boolean {
  return command.getOptionValueSourceWithGlobals('env') !== 'default';
}

/**
 * Refuses a dotenv file that `--env` or `ENV` names but that does not exist: a typo must not quietly mean "no
 * settings" (the default `.env` may be absent).
 */
export function assertEnvFileExists(path: string, named: boolean): void {
  if (named && !existsSync(path)) {
    throw new CliError(
      `env file not found: ${path} (--env or ENV names a dotenv file to read; nothing was written)`,
    );
  }
}

/** The configuration layers of a command: its dotenv file, the process environment and its flags. */
export function commandSources(
  envFile: string,
  flags: Record<string, string | undefined> = {},
): ConfigSources {
  return { dotenv: readEnvFile(envFile), env: process.env, flags };
}

/** The value a variable ends up with after merging every layer (trimmed; empty when unset). */
export function mergedValue(sources: ConfigSources, name: string): string {
  return (mergeSources(sources)[name] ?? '').trim();
}

/**
 * Resolves only the database and encryption sections, for commands that open the database and serve nothing
 * (migrate, setup): the management token, providers and the rest are not read. Throws the ConfigError that
 * lists every problem of those sections.
 */
export function resolveDatabaseConfig(sources: ConfigSources): DatabaseCommandConfig {
  return resolveConfig(sources, ['database', 'encryption']);
}
