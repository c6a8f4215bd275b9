import type { FLAG_VALUES } from './schemas.js';

const TRUE_VALUES: ReadonlySet<string> = new Set(['true', '1', 'yes']);

/** The boolean of a yes/no query parameter (`true`/`1`/`yes` or `false`/`0`/`no`); undefined when absent. */
export function flagValue(value: (typeof FLAG_VALUES)[number] | undefined): boolean | undefined {
  return value === undefined ? undefined : TRUE_VALUES.has(value);
}
