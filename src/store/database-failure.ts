import { AppError, ERRORS } from '../core/index.js';

/** Seconds a client is told to wait (`Retry-After`) while the database cannot serve. */
export const DATABASE_RETRY_AFTER_SECONDS = '5';

/**
 * PostgreSQL SQLSTATE classes of a database that cannot serve now but may again: connection exception (08),
 * insufficient resources such as a full disk (53), operator intervention such as a terminated backend (57),
 * system error (58). See https://www.postgresql.org/docs/current/errcodes-appendix.html.
 */
const POSTGRES_UNAVAILABLE_CLASSES: ReadonlySet<string> = new Set(['08', '53', '57', '58']);
/** `read_only_sql_transaction`: a standby, or a database switched to read-only. */
const POSTGRES_READ_ONLY = '25006';
/** SQLite result codes (extended codes start with these) of a file that cannot be written or read now. */
const SQLITE_UNAVAILABLE = [
  'SQLITE_FULL',
  'SQLITE_READONLY',
  'SQLITE_IOERR',
  'SQLITE_BUSY',
  'SQLITE_CANTOPEN',
];
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** node-postgres reports a lost or unobtainable connection with these messages and no code. */
const POSTGRES_CONNECTION_MESSAGES = [
  'Connection terminated',
  'connection error',
  'timeout exceeded when trying to connect',
  'Client was closed and is not queryable',
  // SQLSTATE 55000 at connection time: the database was closed to new connections (ALLOW_CONNECTIONS false).
  'is not currently accepting connections',
];
const MAX_CAUSE_DEPTH = 5;

/**
 * Whether an error says the database is unreachable, full or read-only — a passing condition to answer with
 * 503 and `Retry-After` — rather than a fault in the request or the program. Follows `cause` chains.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > MAX_CAUSE_DEPTH || typeof error !== 'object' || error === null) return false;
  if (
    error instanceof AggregateError &&
    error.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))
  ) {
    return true;
  }
  const { code, message, cause } = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof code === 'string' && unavailableCode(code)) return true;
  if (typeof message === 'string' && POSTGRES_CONNECTION_MESSAGES.some((text) => message.includes(text))) {
    return true;
  }
  return cause !== undefined && isDatabaseUnavailable(cause, depth + 1);
}

function unavailableCode(code: string): boolean {
  if (code.startsWith('SQLITE_')) return SQLITE_UNAVAILABLE.some((prefix) => code.startsWith(prefix));
  if (NETWORK_CODES.has(code)) return true;
  return (
    /^[0-9A-Z]{5}$/.test(code) &&
    (code === POSTGRES_READ_ONLY || POSTGRES_UNAVAILABLE_CLASSES.has(code.slice(0, 2)))
  );
}

/** The catalog's 503 `database_unavailable` for such an error, with `Retry-After`; the cause stays in the log. */
export function databaseUnavailableError(cause: unknown): AppError {
  return new AppError(ERRORS.DATABASE_UNAVAILABLE, {
    cause,
    headers: { 'Retry-After': DATABASE_RETRY_AFTER_SECONDS },
  });
}
