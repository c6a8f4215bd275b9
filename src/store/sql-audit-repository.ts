import { sql } from 'kysely';
import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';

import type { DialectName } from './store.js';
import type { AuditEventRecord, AuditOutcome } from './records.js';
import type { AuditFilter, AuditPage, AuditRepository } from './repositories.js';
import { toDate, toInt } from './row-values.js';
import type { AuditEventsTable, Database } from './schema.js';

const EXACT_FILTERS = [
  ['action', 'action'],
  ['actor', 'actor'],
  ['clientIp', 'client_ip'],
  ['projectId', 'project_id'],
  ['outcome', 'outcome'],
  ['requestId', 'request_id'],
  ['correlationId', 'correlation_id'],
  ['method', 'method'],
  ['path', 'path'],
] as const;

const SEARCHED_COLUMNS = [
  'request_id',
  'correlation_id',
  'client_ip',
  'action',
  'actor',
  'method',
  'path',
  'reason',
  'metadata',
] as const;

/** The audit table in SQL; time filters compare real timestamps on both dialects. */
export class SqlAuditRepository implements AuditRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  async insert(event: AuditEventRecord): Promise<void> {
    await this.db
      .insertInto('audit_events')
      .values({
        id: event.id,
        timestamp: event.timestamp,
        action: event.action,
        actor: event.actor,
        project_id: event.projectId,
        request_id: event.requestId,
        correlation_id: event.correlationId,
        client_ip: event.clientIp,
        method: event.method,
        path: event.path,
        user_agent: event.userAgent,
        outcome: event.outcome,
        reason: event.reason,
        token_id: event.tokenId,
        metadata: event.metadata,
      })
      .execute();
  }

  async get(id: string): Promise<AuditEventRecord | undefined> {
    const row = await this.db.selectFrom('audit_events').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAuditEvent(row);
  }

  async deleteOlderThan(cutoff: Date, limit: number): Promise<number> {
    // A sub-select bounds the batch on both dialects (neither PostgreSQL nor a default SQLite build has
    // DELETE … LIMIT), so one run never holds a long lock on a large table.
    const result = await this.db
      .deleteFrom('audit_events')
      .where('id', 'in', (eb) =>
        eb.selectFrom('audit_events').select('id').where('timestamp', '<', cutoff).limit(limit),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async list(filter: AuditFilter, page: number, pageSize: number): Promise<AuditPage> {
    // No stored text holds a NUL (metadata is JSON, where it is written `\u0000`); SQLite would end the text
    // at the NUL and turn the pattern into a match-all, PostgreSQL would refuse the parameter.
    if (Object.values(filter).some((value) => typeof value === 'string' && value.includes('\0'))) {
      return { events: [], totalCount: 0 };
    }
    const where = (eb: ExpressionBuilder<Database, 'audit_events'>) => {
      const conditions = [];
      for (const [key, column] of EXACT_FILTERS) {
        const value = filter[key];
        if (value !== undefined) conditions.push(eb(column, '=', value));
      }
      if (filter.startTime) conditions.push(eb('timestamp', '>=', filter.startTime));
      if (filter.endTime) conditions.push(eb('timestamp', '<=', filter.endTime));
      if (filter.search !== undefined && filter.search !== '') {
        const pattern = `%${escapeLike(filter.search.toLowerCase())}%`;
        // Case-insensitive without lower() on every column of every row: SQLite's LIKE already ignores ASCII
        // case (as its lower() does), PostgreSQL has ILIKE. Several times faster on a large trail.
        const like = this.dialect === 'postgres' ? sql`ilike` : sql`like`;
        conditions.push(
          eb.or(
            SEARCHED_COLUMNS.map((column) => sql<boolean>`${sql.ref(column)} ${like} ${pattern} escape '\\'`),
          ),
        );
      }
      return eb.and(conditions);
    };
    const total = await this.db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where(where)
      .executeTakeFirstOrThrow();
    const rows = await this.db
      .selectFrom('audit_events')
      .selectAll()
      .where(where)
      .orderBy('timestamp', 'desc')
      .orderBy('id', 'desc')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute();
    return { events: rows.map(toAuditEvent), totalCount: toInt(total.count) };
  }
}

/** Escapes LIKE wildcards so a search for `50%` finds the text `50%`. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (match) => `\\${match}`);
}

function toAuditEvent(row: Selectable<AuditEventsTable>): AuditEventRecord {
  return {
    id: row.id,
    timestamp: toDate(row.timestamp),
    action: row.action,
    actor: row.actor,
    projectId: row.project_id,
    requestId: row.request_id,
    correlationId: row.correlation_id,
    clientIp: row.client_ip,
    method: row.method,
    path: row.path,
    userAgent: row.user_agent,
    outcome: row.outcome as AuditOutcome,
    reason: row.reason,
    tokenId: row.token_id,
    metadata: row.metadata,
  };
}
