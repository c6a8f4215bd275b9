const GO_TIME_STRING = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)? ([+-]\d{2})(\d{2})/;

/**
 * Reads a timestamp column: a Date (PostgreSQL), ISO-8601 text (what we write on SQLite) or the layouts the
 * original Go program left in SQLite files (`2006-01-02 15:04:05.999999999-07:00`, Go's `Time.String()`).
 */
export function toDate(value: Date | string | number): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  const direct = new Date(value.includes('T') || value.endsWith('Z') ? value : value.replace(' ', 'T'));
  if (!Number.isNaN(direct.getTime())) return direct;
  const go = GO_TIME_STRING.exec(value);
  if (go) {
    const fraction = (go[3] ?? '').slice(0, 4);
    return new Date(`${go[1] ?? ''}T${go[2] ?? ''}${fraction}${go[4] ?? ''}:${go[5] ?? ''}`);
  }
  throw new Error(`unreadable timestamp in database: ${value}`);
}

/** Reads a nullable timestamp column. */
export function toDateOrNull(value: Date | string | number | null): Date | null {
  return value === null ? null : toDate(value);
}

/** Reads a boolean column (0/1 on SQLite). */
export function toBool(value: boolean | number | string): boolean {
  return value === true || value === 1 || value === '1' || value === 't' || value === 'true';
}

/** Reads an integer column that PostgreSQL may return as a string (bigint aggregates). */
export function toInt(value: number | string | bigint): number {
  return Number(value);
}
