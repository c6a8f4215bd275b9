import { sql } from 'kysely';
import type { Kysely, RawBuilder } from 'kysely';

import { TABLES, createIndexes, createTable } from './create-schema.js';
import type { TableName } from './create-schema.js';
import { hashPlaintextTokens } from './hash-plaintext-tokens.js';

interface ColumnInfo {
  name: string;
  type: string;
}

const ISO_TIMESTAMP = `'%Y-%m-%dT%H:%M:%fZ'`;
const TIMESTAMP_COLUMNS: Record<TableName, string[]> = {
  projects: ['deactivated_at', 'created_at', 'updated_at'],
  tokens: ['expires_at', 'deactivated_at', 'created_at', 'last_used_at'],
  audit_events: ['timestamp'],
};
/** SQL for a random UUIDv4 string, used for token rows that predate token ids. */
const SQL_UUID_V4 = sql`lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' ||
  substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) ||
  substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))`;

/**
 * Brings a SQLite database to the current schema: creates it when empty, or upgrades in place a file written
 * by the original program (any `schema.sql` generation): renames `openai_api_key`, adds missing columns, gives
 * tokens their own ids, widens the audit outcome check, hashes plaintext tokens and rewrites timestamps as
 * ISO-8601 UTC. Columns this schema does not know are kept.
 */
export async function adoptSqliteSchema(db: Kysely<unknown>): Promise<void> {
  const present = new Set<string>();
  for (const table of TABLES) if ((await columnsOf(db, table)).length > 0) present.add(table);
  if (present.size === 0) {
    for (const table of TABLES) await createTable(db, 'sqlite', table);
    await createIndexes(db);
    return;
  }
  // Table rebuilds need foreign keys off, and that pragma is ignored inside a transaction.
  await sql`PRAGMA foreign_keys = OFF`.execute(db);
  await sql`PRAGMA legacy_alter_table = ON`.execute(db);
  try {
    await db.transaction().execute(async (trx) => {
      for (const table of TABLES) {
        if (present.has(table)) await ADOPTERS[table](trx);
        else await createTable(trx, 'sqlite', table);
      }
      await createIndexes(trx);
      await normalizeTimestamps(trx);
      await hashPlaintextTokens(trx);
    });
  } finally {
    await sql`PRAGMA legacy_alter_table = OFF`.execute(db);
    await sql`PRAGMA foreign_keys = ON`.execute(db);
  }
}

const ADOPTERS: Record<TableName, (db: Kysely<unknown>) => Promise<void>> = {
  async projects(db) {
    const names = await columnNames(db, 'projects');
    if (names.has('openai_api_key') && !names.has('api_key')) {
      await sql`ALTER TABLE projects RENAME COLUMN openai_api_key TO api_key`.execute(db);
    }
    await addMissing(db, 'projects', names, {
      is_active: 'boolean NOT NULL DEFAULT 1',
      deactivated_at: 'datetime',
    });
  },
  async tokens(db) {
    const names = await columnNames(db, 'tokens');
    if (!names.has('id')) {
      await rebuild(db, 'tokens', { id: SQL_UUID_V4 });
      return;
    }
    await addMissing(db, 'tokens', names, {
      token_preview: 'text',
      deactivated_at: 'datetime',
      last_used_at: 'datetime',
      max_requests: 'integer',
      cache_hit_count: 'integer NOT NULL DEFAULT 0',
    });
  },
  async audit_events(db) {
    const definition = await tableSql(db, 'audit_events');
    if (/check\s*\(/i.test(definition) && !definition.includes("'denied'")) {
      await rebuild(db, 'audit_events', {});
      return;
    }
    const names = await columnNames(db, 'audit_events');
    await addMissing(db, 'audit_events', names, {
      correlation_id: 'text',
      user_agent: 'text',
      reason: 'text',
      token_id: 'text',
      metadata: 'text',
    });
  },
};

/** Recreates a table in the current shape and copies every row, keeping columns the new shape lacks. */
async function rebuild(db: Kysely<unknown>, table: TableName, fill: Record<string, RawBuilder<unknown>>) {
  const legacy = `${table}_legacy`;
  const legacyColumns = await columnsOf(db, table);
  await sql`ALTER TABLE ${sql.table(table)} RENAME TO ${sql.table(legacy)}`.execute(db);
  await createTable(db, 'sqlite', table);
  const current = await columnNames(db, table);
  for (const column of legacyColumns) {
    if (!current.has(column.name)) {
      await sql`ALTER TABLE ${sql.table(table)} ADD COLUMN ${sql.id(column.name)} ${sql.raw(column.type || 'text')}`.execute(
        db,
      );
    }
  }
  const legacyNames = new Set(legacyColumns.map((column) => column.name));
  const targets = [...(await columnNames(db, table))].filter((name) => legacyNames.has(name) || name in fill);
  const sources = targets.map((name) => (legacyNames.has(name) ? sql.id(name) : (fill[name] ?? sql`NULL`)));
  await sql`INSERT INTO ${sql.table(table)} (${sql.join(targets.map((name) => sql.id(name)))})
    SELECT ${sql.join(sources)} FROM ${sql.table(legacy)}`.execute(db);
  await sql`DROP TABLE ${sql.table(legacy)}`.execute(db);
}

async function addMissing(
  db: Kysely<unknown>,
  table: TableName,
  present: Set<string>,
  columns: Record<string, string>,
): Promise<void> {
  for (const [name, definition] of Object.entries(columns)) {
    if (present.has(name)) continue;
    await sql`ALTER TABLE ${sql.table(table)} ADD COLUMN ${sql.id(name)} ${sql.raw(definition)}`.execute(db);
  }
}

/** Rewrites the layouts the Go SQLite driver wrote (`2006-01-02 15:04:05.999999999-07:00`) as ISO-8601 UTC. */
async function normalizeTimestamps(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES) {
    for (const column of TIMESTAMP_COLUMNS[table]) {
      await sql`UPDATE ${sql.table(table)}
        SET ${sql.id(column)} = coalesce(strftime(${sql.raw(ISO_TIMESTAMP)}, ${sql.id(column)}), ${sql.id(column)})
        WHERE ${sql.id(column)} IS NOT NULL`.execute(db);
    }
  }
}

async function columnsOf(db: Kysely<unknown>, table: string): Promise<ColumnInfo[]> {
  const result = await sql<ColumnInfo>`SELECT name, type FROM pragma_table_info(${table})`.execute(db);
  return result.rows;
}

async function columnNames(db: Kysely<unknown>, table: string): Promise<Set<string>> {
  return new Set((await columnsOf(db, table)).map((column) => column.name));
}

async function tableSql(db: Kysely<unknown>, table: string): Promise<string> {
  const result = await sql<{
    sql: string;
  }>`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ${table}`.execute(db);
  return result.rows[0]?.sql ?? '';
}
