/** Parses an integer option, refusing anything below `min` or above `max`. */
export function integerOption(
  name: string,
  value: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const parsed = Number(value);
  if (
    value === undefined ||
    value.trim() === '' ||
    !Number.isInteger(parsed) ||
    parsed < min ||
    parsed > max
  ) {
    throw new Error(`--${name}: expected an integer from ${min} to ${max}, got ${value ?? 'nothing'}`);
  }
  return parsed;
}

/** Parses a `--port` value; 0 means a free port. */
export function portOption(value: string | undefined): number {
  return integerOption('port', value, 0, 65_535);
}

/** A comma-separated subset of `allowed`, returned in the order of `allowed`. */
export function listOption<T extends string>(name: string, value: string, allowed: readonly T[]): T[] {
  const given = value.split(',').map((item) => item.trim());
  const unknown = given.filter((item) => !(allowed as readonly string[]).includes(item));
  if (unknown.length > 0)
    throw new Error(`--${name}: unknown ${unknown.join(', ')} (expected ${allowed.join(', ')})`);
  return allowed.filter((item) => given.includes(item));
}
