import { sql } from 'kysely';
import type { Kysely } from 'kysely';

import type { DialectName } from '../store.js';

/** Names of the tables the store owns. */
export const TABLES = ['projects', 'tokens', 'audit_events'] as const;
export type TableName = (typeof TABLES)[number];

/** The column type used for timestamps on each dialect. */
export function timestampType(dialect: DialectName): 'timestamptz' | 'datetime' {
  return dialect === 'postgres' ? 'timestamptz' : 'datetime';
}

/** Creates one table in its current shape under the given name (used for fresh databases and rebuilds). */
export async function createTable(
  db: Kysely<unknown>,
  dialect: DialectName,
  table: TableName,
  name: string = table,
): Promise<void> {
  const ts = timestampType(dialect);
  switch (table) {
    case 'projects':
      await db.schema
        .createTable(name)
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('api_key', 'text', (c) => c.notNull())
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('deactivated_at', ts)
        .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`))
        .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`))
        .execute();
      return;
    case 'tokens':
      await db.schema
        .createTable(name)
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('token', 'text', (c) => c.notNull().unique())
        .addColumn('token_preview', 'text')
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('expires_at', ts)
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('deactivated_at', ts)
        .addColumn('request_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_requests', 'integer')
        .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`))
        .addColumn('last_used_at', ts)
        .addColumn('cache_hit_count', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      return;
    case 'audit_events':
      await db.schema
        .createTable(name)
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('timestamp', ts, (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('project_id', 'text')
        .addColumn('request_id', 'text')
        .addColumn('correlation_id', 'text')
        .addColumn('client_ip', 'text')
        .addColumn('method', 'text')
        .addColumn('path', 'text')
        .addColumn('user_agent', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('token_id', 'text')
        .addColumn('metadata', 'text')
        .addCheckConstraint(
          `${name}_outcome_check`,
          sql`outcome IN ('success', 'failure', 'denied', 'error')`,
        )
        .execute();
      return;
  }
}

/** Creates the indexes of the current schema where they are missing. */
export async function createIndexes(db: Kysely<unknown>): Promise<void> {
  const indexes: [string, TableName, string[]][] = [
    ['idx_projects_name', 'projects', ['name']],
    ['idx_tokens_token', 'tokens', ['token']],
    ['idx_tokens_project_id', 'tokens', ['project_id']],
    ['idx_tokens_expires_at', 'tokens', ['expires_at']],
    ['idx_tokens_is_active', 'tokens', ['is_active']],
    ['idx_audit_timestamp', 'audit_events', ['timestamp']],
    ['idx_audit_action', 'audit_events', ['action']],
    ['idx_audit_project_id', 'audit_events', ['project_id']],
    ['idx_audit_client_ip', 'audit_events', ['client_ip']],
    ['idx_audit_request_id', 'audit_events', ['request_id']],
    ['idx_audit_outcome', 'audit_events', ['outcome']],
    ['idx_audit_ip_action', 'audit_events', ['client_ip', 'action']],
  ];
  for (const [name, table, columns] of indexes) {
    await db.schema.createIndex(name).ifNotExists().on(table).columns(columns).execute();
  }
}
