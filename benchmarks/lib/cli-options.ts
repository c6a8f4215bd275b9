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
