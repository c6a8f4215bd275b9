import { InvalidArgumentError } from 'commander';

import { parseBoolean } from '../../config/index.js';

/** A commander argument parser for a whole number within [min, max]; anything else is a usage error. */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): (raw: string) => number {
  return function parseWholeNumber(raw: string): number {
    const text = raw.trim();
    const value = Number(text);
    if (!/^-?\d+$/.test(text) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `between ${min} and ${max}`;
      throw new InvalidArgumentError(`Expected a whole number ${range}.`);
    }
    return value;
  };
}

/** A commander argument parser for `true` or `false` (also yes/no, on/off, 1/0). */
export function booleanValue(raw: string): boolean {
  const parsed = parseBoolean(raw);
  if (!parsed.ok) throw new InvalidArgumentError('Expected true or false.');
  return parsed.value;
}

/** A commander argument parser for a non-empty value. */
export function nonEmpty(raw: string): string {
  if (raw.trim() === '') throw new InvalidArgumentError('Expected a non-empty value.');
  return raw;
}

/**
 * The configuration variables a `--db` value stands for: a `postgres://` URL selects PostgreSQL, anything else
 * is a SQLite file path.
 */
export function databaseFlagValues(db: string | undefined): Record<string, string> {
  if (db === undefined) return {};
  if (/^postgres(ql)?:\/\//.test(db)) return { DB_DRIVER: 'postgres', DATABASE_URL: db };
  return { DB_DRIVER: 'sqlite', DATABASE_PATH: db };
}
