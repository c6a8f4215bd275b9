import { sql } from 'kysely';
import type { Kysely } from 'kysely';

import { TABLES, createIndexes, createTable } from './create-schema.js';
import type { TableName } from './create-schema.js';
import { hashPlaintextTokens } from './hash-plaintext-tokens.js';

interface ColumnInfo {
  name: string;
  type: string;
}

const ID_COLUMNS: [TableName, string][] = [
  ['projects', 'id'],
  ['tokens', 'id'],
  ['tokens', 'project_id'],
  ['audit_events', 'id'],
  ['audit_events', 'project_id'],
];

/**
 * Brings a PostgreSQL database to the current schema: creates it when empty, or upgrades in place one made
 * by the original program's goose migrations (any version): renames `openai_api_key`, adds missing columns
 * and token ids, turns uuid ids into text and `timestamp` into `timestamptz` (the original wrote UTC),
 * widens the audit outcome check and hashes plaintext tokens. Runs inside the migration transaction.
 */
export async function adoptPostgresSchema(db: Kysely<unknown>): Promise<void> {
  const present = new Set<TableName>();
  for (const table of TABLES) if ((await columnsOf(db, table)).size > 0) present.add(table);
  for (const table of TABLES) if (!present.has(table)) await createTable(db, 'postgres', table);
  if (present.size > 0) {
    if (present.has('projects')) await adoptProjects(db);
    if (present.has('tokens')) await adoptTokens(db);
    if (present.has('audit_events')) await adoptAuditEvents(db);
    await normalizeColumnTypes(db);
  }
  await createIndexes(db);
  await hashPlaintextTokens(db);
}

async function adoptProjects(db: Kysely<unknown>): Promise<void> {
  const columns = await columnsOf(db, 'projects');
  if (columns.has('openai_api_key') && !columns.has('api_key')) {
    await sql`ALTER TABLE projects RENAME COLUMN openai_api_key TO api_key`.execute(db);
  }
  await sql`ALTER TABLE projects ADD COLUMN IF NOT EXISTS deactivated_at timestamptz`.execute(db);
}

async function adoptTokens(db: Kysely<unknown>): Promise<void> {
  const columns = await columnsOf(db, 'tokens');
  if (!columns.has('id')) {
    // Before token ids existed the secret itself was the primary key.
    await sql`ALTER TABLE tokens ADD COLUMN id text`.execute(db);
    await sql`UPDATE tokens SET id = gen_random_uuid()::text`.execute(db);
    await sql`ALTER TABLE tokens ALTER COLUMN id SET NOT NULL`.execute(db);
    const primaryKey = await constraintNames(db, 'tokens', 'p');
    for (const name of primaryKey) await sql`ALTER TABLE tokens DROP CONSTRAINT ${sql.id(name)}`.execute(db);
    await sql`ALTER TABLE tokens ADD PRIMARY KEY (id)`.execute(db);
    await sql`ALTER TABLE tokens ADD CONSTRAINT tokens_token_unique UNIQUE (token)`.execute(db);
  }
  await sql`ALTER TABLE tokens ADD COLUMN IF NOT EXISTS token_preview text`.execute(db);
  await sql`ALTER TABLE tokens ADD COLUMN IF NOT EXISTS deactivated_at timestamptz`.execute(db);
  await sql`ALTER TABLE tokens ADD COLUMN IF NOT EXISTS cache_hit_count integer NOT NULL DEFAULT 0`.execute(
    db,
  );
}

async function adoptAuditEvents(db: Kysely<unknown>): Promise<void> {
  const checks = await sql<{ name: string; definition: string }>`
    SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
    WHERE conrelid = 'audit_events'::regclass AND contype = 'c'`.execute(db);
  for (const check of checks.rows) {
    if (check.definition.includes('outcome')) {
      await sql`ALTER TABLE audit_events DROP CONSTRAINT ${sql.id(check.name)}`.execute(db);
    }
  }
  await sql`ALTER TABLE audit_events ADD CONSTRAINT audit_events_outcome_check
    CHECK (outcome IN ('success', 'failure', 'denied', 'error'))`.execute(db);
}

/** uuid ids become text (ids are compared with arbitrary path values) and timestamps become timestamptz. */
async function normalizeColumnTypes(db: Kysely<unknown>): Promise<void> {
  const foreignKeys = await constraintNames(db, 'tokens', 'f');
  for (const name of foreignKeys) await sql`ALTER TABLE tokens DROP CONSTRAINT ${sql.id(name)}`.execute(db);
  for (const [table, column] of ID_COLUMNS) {
    const type = (await columnsOf(db, table)).get(column);
    if (type !== undefined && type !== 'text') {
      await sql`ALTER TABLE ${sql.table(table)} ALTER COLUMN ${sql.id(column)} TYPE text USING ${sql.id(column)}::text`.execute(
        db,
      );
    }
  }
  await sql`ALTER TABLE tokens ADD CONSTRAINT tokens_project_id_fkey
    FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE`.execute(db);
  for (const table of TABLES) {
    for (const [column, type] of await columnsOf(db, table)) {
      if (type === 'timestamp without time zone') {
        await sql`ALTER TABLE ${sql.table(table)} ALTER COLUMN ${sql.id(column)}
          TYPE timestamptz USING ${sql.id(column)} AT TIME ZONE 'UTC'`.execute(db);
      }
    }
  }
}

async function columnsOf(db: Kysely<unknown>, table: string): Promise<Map<string, string>> {
  const result = await sql<ColumnInfo>`
    SELECT column_name AS name, data_type AS type FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = ${table}`.execute(db);
  return new Map(result.rows.map((row) => [row.name, row.type]));
}

async function constraintNames(db: Kysely<unknown>, table: string, kind: 'p' | 'f'): Promise<string[]> {
  const result = await sql<{ name: string }>`
    SELECT conname AS name FROM pg_constraint
    WHERE conrelid = ${table}::regclass AND contype = ${kind}`.execute(db);
  return result.rows.map((row) => row.name);
}
