import { InvalidArgumentError } from 'commander';

import { parseBoolean, parseDuration } from '../../config/index.js';

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

/** The unit a bare number stands for in a `--duration` value: each command keeps the original's. */
export type BareDurationUnit = 'minutes' | 'hours';

const SECOND_MS = 1000;
const MINUTE_MS = 60_000;
const BARE_UNIT_MINUTES: Readonly<Record<BareDurationUnit, number>> = { minutes: 1, hours: 60 };

/**
 * Reads a validity such as `90m`, `24h`, `7d` or `1h30m` (units s, m, h, d) as whole minutes; a bare number is
 * in `bareUnit`, the unit that command has always used (`setup`: hours, `manage token generate`: minutes).
 * Returns the minutes, or a message saying what is wrong.
 */
export function parseDurationMinutes(
  raw: string,
  bareUnit: BareDurationUnit,
  maxMinutes: number,
): { readonly minutes: number } | { readonly problem: string } {
  const text = raw.trim();
  let minutes: number;
  if (/^\d+$/.test(text)) minutes = Number(text) * BARE_UNIT_MINUTES[bareUnit];
  else {
    const parsed = parseDuration(text);
    if (!parsed.ok) {
      return {
        problem: `"${raw}" is not a duration: use a unit (90m, 24h, 7d) or a bare number of ${bareUnit}`,
      };
    }
    if (parsed.value % MINUTE_MS !== 0) return { problem: `"${raw}" is not a whole number of minutes` };
    minutes = parsed.value / MINUTE_MS;
  }
  if (minutes < 1 || minutes > maxMinutes) {
    return { problem: `"${raw}" is out of range: between 1 minute and ${describeMinutes(maxMinutes)}` };
  }
  return { minutes };
}

/** A commander argument parser for a `--duration` value, as {@link parseDurationMinutes} reads it. */
export function durationMinutes(bareUnit: BareDurationUnit, maxMinutes: number): (raw: string) => number {
  return function parseDurationOption(raw: string): number {
    const result = parseDurationMinutes(raw, bareUnit, maxMinutes);
    if ('problem' in result) throw new InvalidArgumentError(`${result.problem}.`);
    return result.minutes;
  };
}

/**
 * A commander argument parser for a cache lifetime such as `90s`, `10m`, `24h`, `7d` or `1h30m` (a bare number
 * is seconds), up to `maxSeconds`; `off` (also `none`, `0`) gives `'off'`, which turns the setting off
 * (not null: commander reads a null option value as an empty string).
 */
export function durationSecondsOrOff(maxSeconds: number): (raw: string) => number | 'off' {
  return function parseDurationSecondsOption(raw: string): number | 'off' {
    const text = raw.trim();
    if (['off', 'none', '0'].includes(text.toLowerCase())) return 'off';
    let seconds: number;
    if (/^\d+$/.test(text)) seconds = Number(text);
    else {
      const parsed = parseDuration(text);
      if (!parsed.ok) {
        throw new InvalidArgumentError(
          `"${raw}" is not a duration: use a unit (90s, 10m, 24h, 7d), a bare number of seconds, or off.`,
        );
      }
      if (parsed.value % SECOND_MS !== 0) {
        throw new InvalidArgumentError(`"${raw}" is not a whole number of seconds.`);
      }
      seconds = parsed.value / SECOND_MS;
    }
    if (seconds < 1 || seconds > maxSeconds) {
      throw new InvalidArgumentError(
        `"${raw}" is out of range: between 1 second and ${describeSeconds(maxSeconds)}, or off.`,
      );
    }
    return seconds;
  };
}

/** A lifetime in seconds in its largest whole unit (`3600` → `1h`, `90` → `90s`). */
export function describeSeconds(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
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

function describeMinutes(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}
