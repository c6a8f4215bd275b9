import BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

const WAL_SWITCH_TIMEOUT_MS = 10_000;
const PAUSE = new Int32Array(new SharedArrayBuffer(4));
/**
 * Prepared statements kept for reuse, by SQL text: the query builder prepares every query it runs, and
 * preparing costs more than running a small one. Queries with lists of varying length make many texts; when
 * this many are held the cache starts again.
 */
const MAX_CACHED_STATEMENTS = 256;

/**
 * Opens a SQLite file the way the store needs it: WAL, foreign keys on, a busy timeout so that several
 * processes can share the file, and parameters converted to what SQLite stores (Date → ISO-8601 UTC text,
 * boolean → 0/1), so that repositories write the same values on both dialects.
 */
export function openSqlite(path: string): SqliteDatabase & { raw: BetterSqlite3.Database } {
  const raw = new BetterSqlite3(path);
  raw.pragma('busy_timeout = 10000');
  if (path !== ':memory:') enableWal(raw);
  raw.pragma('foreign_keys = ON');
  raw.pragma('synchronous = NORMAL');
  const statements = new Map<string, BetterSqlite3.Statement>();
  const prepared = (sql: string): BetterSqlite3.Statement => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = raw.prepare(sql);
      if (statements.size >= MAX_CACHED_STATEMENTS) statements.clear();
      statements.set(sql, statement);
    }
    return statement;
  };
  return {
    raw,
    close: () => raw.close(),
    prepare(sql: string): SqliteStatement {
      const statement = prepared(sql);
      return {
        get reader() {
          return statement.reader;
        },
        all: (parameters) => statement.all(...convertParameters(parameters)),
        run: (parameters) => {
          const result = statement.run(...convertParameters(parameters));
          return { changes: result.changes, lastInsertRowid: result.lastInsertRowid };
        },
        iterate: (parameters) => statement.iterate(...convertParameters(parameters)),
      };
    },
  };
}

/**
 * Switches the file to WAL. Changing the journal mode needs an exclusive lock and SQLite answers SQLITE_BUSY at
 * once instead of waiting for the busy timeout, so two processes opening a new file together retry here.
 */
function enableWal(raw: BetterSqlite3.Database): void {
  const deadline = Date.now() + WAL_SWITCH_TIMEOUT_MS;
  for (;;) {
    try {
      if (raw.pragma('journal_mode', { simple: true }) === 'wal') return;
      raw.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
      // A synchronous pause: this runs once, while the store is being opened.
      Atomics.wait(PAUSE, 0, 0, 25);
    }
  }
}

function convertParameters(parameters: ReadonlyArray<unknown>): unknown[] {
  return parameters.map((value) => {
    if (value instanceof Date) return value.toISOString();
    if (typeof value === 'boolean') return value ? 1 : 0;
    return value;
  });
}
