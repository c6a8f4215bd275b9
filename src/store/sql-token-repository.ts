import { sql } from 'kysely';
import type { ExpressionBuilder, Expression, Kysely, Selectable, SqlBool } from 'kysely';

import { newId } from '../core/index.js';
import type { Clock } from '../core/index.js';
import { TOKEN_STATUSES } from './records.js';
import type { TokenRecord, TokenStatus } from './records.js';
import type {
  BulkRevokeResult,
  NewToken,
  TokenChanges,
  TokenCounts,
  TokenFilter,
  TokenListPage,
  TokenRepository,
  TokenSecretChange,
  TokenSort,
  TokenUsage,
} from './repositories.js';
import { toBool, toDate, toDateOrNull, toInt } from './row-values.js';
import type { Database, TokensTable } from './schema.js';

/** Tokens in SQL. Updates write only the columns that change, so concurrent counter increments survive. */
export class SqlTokenRepository implements TokenRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async create(token: NewToken): Promise<TokenRecord> {
    const now = this.clock.now();
    const record: TokenRecord = {
      id: newId(),
      tokenHash: token.tokenHash,
      preview: token.preview,
      name: token.name ?? null,
      projectId: token.projectId,
      expiresAt: token.expiresAt,
      isActive: true,
      deactivatedAt: null,
      requestCount: 0,
      maxRequests: token.maxRequests,
      createdAt: now,
      lastUsedAt: null,
      cacheHitCount: 0,
    };
    await this.db
      .insertInto('tokens')
      .values({
        id: record.id,
        token: record.tokenHash,
        token_preview: record.preview,
        name: record.name,
        project_id: record.projectId,
        expires_at: record.expiresAt,
        is_active: true,
        deactivated_at: null,
        request_count: 0,
        max_requests: record.maxRequests,
        created_at: now,
        last_used_at: null,
        cache_hit_count: 0,
      })
      .execute();
    return record;
  }

  async get(id: string): Promise<TokenRecord | undefined> {
    const row = await this.db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toTokenRecord(row);
  }

  async findByHash(tokenHash: string): Promise<TokenRecord | undefined> {
    const row = await this.db
      .selectFrom('tokens')
      .selectAll()
      .where('token', '=', tokenHash)
      .executeTakeFirst();
    return row && toTokenRecord(row);
  }

  async list(filter: TokenFilter = {}, page: TokenListPage = {}): Promise<TokenRecord[]> {
    const column = SORT_COLUMNS[page.sort ?? 'created'];
    const order = page.order ?? 'desc';
    let query = this.filtered(filter)
      .selectAll()
      // Tokens without the value (never expires, never used) come last in either order, on both dialects.
      .orderBy(sql`case when ${sql.ref(column)} is null then 1 else 0 end`)
      .orderBy(column, order)
      .orderBy('id', order);
    if (page.limit !== undefined) query = query.limit(page.limit);
    if (page.offset !== undefined && page.offset > 0) query = query.offset(page.offset);
    const rows = await query.execute();
    return rows.map(toTokenRecord);
  }

  async count(filter: TokenFilter = {}): Promise<number> {
    const row = await this.filtered(filter)
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  private filtered(filter: TokenFilter) {
    let query = this.db.selectFrom('tokens');
    if (filter.projectId !== undefined) query = query.where('project_id', '=', filter.projectId);
    if (filter.activeOnly === true) query = query.where('is_active', '=', true);
    const { status } = filter;
    if (status !== undefined) {
      const now = filter.now ?? this.clock.now();
      query = query.where((eb) => statusCondition(eb, status, now));
    }
    return query;
  }

  async countByStatus(now: Date): Promise<TokenCounts> {
    const row = await this.db
      .selectFrom('tokens')
      .select((eb) => [
        eb.fn.countAll<number | string>().as('total'),
        eb.fn.sum<number | string | null>('request_count').as('requests'),
        ...TOKEN_STATUSES.map((status) =>
          eb.fn
            .sum<number | string | null>(
              eb
                .case()
                .when(statusCondition(eb, status, now))
                .then(1)
                .else(0)
                .end(),
            )
            .as(status),
        ),
      ])
      .executeTakeFirstOrThrow();
    const read = (value: number | string | null | undefined) =>
      value === null || value === undefined ? 0 : Number(value);
    return {
      total: read(row.total),
      active: read(row.active),
      expired: read(row.expired),
      revoked: read(row.revoked),
      exhausted: read(row.exhausted),
      requests: read(row.requests),
    };
  }

  async update(id: string, changes: TokenChanges): Promise<TokenRecord | undefined> {
    const now = this.clock.now();
    const set = {
      ...(changes.maxRequests !== undefined && { max_requests: changes.maxRequests }),
      ...(changes.name !== undefined && { name: changes.name }),
      ...(changes.isActive === true && { is_active: true, deactivated_at: null }),
      ...(changes.isActive === false && {
        is_active: false,
        deactivated_at: sql<Date>`coalesce(deactivated_at, ${now})`,
      }),
    };
    if (Object.keys(set).length > 0) {
      await this.db.updateTable('tokens').set(set).where('id', '=', id).execute();
    }
    return this.get(id);
  }

  async replaceSecret(id: string, secret: TokenSecretChange): Promise<TokenRecord | undefined> {
    const result = await this.db
      .updateTable('tokens')
      .set({ token: secret.tokenHash, token_preview: secret.preview })
      .where('id', '=', id)
      .where('is_active', '=', true)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n ? this.get(id) : undefined;
  }

  async revoke(id: string): Promise<{ alreadyRevoked: boolean } | undefined> {
    const result = await this.db
      .updateTable('tokens')
      .set({ is_active: false, deactivated_at: sql<Date>`coalesce(deactivated_at, ${this.clock.now()})` })
      .where('id', '=', id)
      .where('is_active', '=', true)
      .executeTakeFirst();
    if (result.numUpdatedRows > 0n) return { alreadyRevoked: false };
    const exists = await this.db.selectFrom('tokens').select('id').where('id', '=', id).executeTakeFirst();
    return exists ? { alreadyRevoked: true } : undefined;
  }

  async revokeForProject(projectId: string): Promise<BulkRevokeResult> {
    const total = await this.db
      .selectFrom('tokens')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('project_id', '=', projectId)
      .executeTakeFirstOrThrow();
    const result = await this.db
      .updateTable('tokens')
      .set({ is_active: false, deactivated_at: sql<Date>`coalesce(deactivated_at, ${this.clock.now()})` })
      .where('project_id', '=', projectId)
      .where('is_active', '=', true)
      .executeTakeFirst();
    const revoked = Number(result.numUpdatedRows);
    const totalCount = toInt(total.count);
    return { revoked, alreadyRevoked: totalCount - revoked, total: totalCount };
  }

  async consumeRequest(id: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('tokens')
      .set({ request_count: sql<number>`request_count + 1`, last_used_at: now })
      .where('id', '=', id)
      .where('is_active', '=', true)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .where((eb) =>
        eb.or([
          eb('max_requests', 'is', null),
          eb('max_requests', '<=', 0),
          eb('request_count', '<', eb.ref('max_requests')),
        ]),
      )
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async refundRequest(id: string): Promise<void> {
    await this.db
      .updateTable('tokens')
      .set({ request_count: sql<number>`request_count - 1` })
      .where('id', '=', id)
      .where('request_count', '>', 0)
      .execute();
  }

  async addUsage(usage: readonly TokenUsage[]): Promise<void> {
    for (const entry of usage) {
      await this.db
        .updateTable('tokens')
        .set({
          request_count: sql<number>`request_count + ${entry.requests}`,
          cache_hit_count: sql<number>`cache_hit_count + ${entry.cacheHits}`,
          last_used_at: entry.lastUsedAt,
        })
        .where('id', '=', entry.id)
        .execute();
    }
  }
}

/** The column each sort orders by. */
const SORT_COLUMNS = {
  created: 'created_at',
  expires: 'expires_at',
  last_used: 'last_used_at',
  requests: 'request_count',
} as const satisfies Record<TokenSort, keyof TokensTable>;

/** The SQL form of {@link tokenStatus}: the same checks in the same order. */
function statusCondition(
  eb: ExpressionBuilder<Database, 'tokens'>,
  status: TokenStatus,
  now: Date,
): Expression<SqlBool> {
  const revoked = eb('is_active', '=', false);
  const expired = eb.and([eb('expires_at', 'is not', null), eb('expires_at', '<=', now)]);
  const exhausted = eb.and([
    eb('max_requests', 'is not', null),
    eb('max_requests', '>', 0),
    eb('request_count', '>=', eb.ref('max_requests')),
  ]);
  switch (status) {
    case 'revoked':
      return revoked;
    case 'expired':
      return eb.and([eb.not(revoked), expired]);
    case 'exhausted':
      return eb.and([eb.not(revoked), eb.not(expired), exhausted]);
    case 'active':
      return eb.and([eb.not(revoked), eb.not(expired), eb.not(exhausted)]);
  }
}

function toTokenRecord(row: Selectable<TokensTable>): TokenRecord {
  return {
    id: row.id,
    tokenHash: row.token,
    preview: row.token_preview,
    name: row.name,
    projectId: row.project_id,
    expiresAt: toDateOrNull(row.expires_at),
    isActive: toBool(row.is_active),
    deactivatedAt: toDateOrNull(row.deactivated_at),
    requestCount: toInt(row.request_count),
    // The original program treated a quota of 0 or less as unlimited.
    maxRequests: row.max_requests === null || toInt(row.max_requests) <= 0 ? null : toInt(row.max_requests),
    createdAt: toDate(row.created_at),
    lastUsedAt: toDateOrNull(row.last_used_at),
    cacheHitCount: toInt(row.cache_hit_count),
  };
}
