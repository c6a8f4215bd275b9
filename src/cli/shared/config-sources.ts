import { mergeSources, readDotenvFile, resolveConfig } from '../../config/index.js';
import type { Config, ConfigSources } from '../../config/index.js';
import { CliError, errorCodeOf } from './cli-error.js';

// Commands that never serve /manage (migrate, setup) must not fail for want of a management token.
const NOT_NEEDED = 'not-needed-by-this-command';

/** Reads a dotenv file for a command; a missing file is empty, an unreadable one a clear error. */
export function readEnvFile(path: string): Record<string, string> {
  try {
    return readDotenvFile(path);
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${errorCodeOf(error)}`, { cause: error });
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
 * Resolves the configuration for a command that only needs the database (and the encryption key): a missing
 * MANAGEMENT_TOKEN is not a problem there. Throws the ConfigError that lists every other problem.
 */
export function resolveDatabaseConfig(sources: ConfigSources): Config {
  if (mergedValue(sources, 'MANAGEMENT_TOKEN') !== '') return resolveConfig(sources);
  return resolveConfig({ ...sources, flags: { ...sources.flags, MANAGEMENT_TOKEN: NOT_NEEDED } });
}
