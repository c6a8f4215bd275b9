import type {
  AuditEventRecord,
  AuditOutcome,
  Project,
  TokenRecord,
  TokenStatus,
  UsageBucket,
  UsageCounts,
  UsageDimension,
} from './records.js';

/** Fields of a new project. */
export interface NewProject {
  readonly name: string;
  readonly apiKey: string;
  /** Provider name; null or absent means the default provider. */
  readonly provider?: string | null;
  /** Cache TTL for POST answers in seconds; null or absent means off. */
  readonly cachePostTtlSeconds?: number | null;
}

/** Changes to a project; absent fields stay as they are. */
export interface ProjectChanges {
  readonly name?: string;
  readonly apiKey?: string;
  /** Provider name; null means the default provider. */
  readonly provider?: string | null;
  /** Cache TTL for POST answers in seconds; null turns it off. */
  readonly cachePostTtlSeconds?: number | null;
  /** Deactivating sets `deactivated_at`; reactivating clears it. */
  readonly isActive?: boolean;
}

/** Projects; API keys are encrypted on write and decrypted on read when encryption is configured. */
export interface ProjectRepository {
  /** Every project, ordered by name. */
  list(): Promise<Project[]>;
  get(id: string): Promise<Project | undefined>;
  /** Throws {@link DuplicateProjectNameError} when the name is taken. */
  create(project: NewProject): Promise<Project>;
  /** Applies the changes and bumps `updated_at`; undefined when the project does not exist. */
  update(id: string, changes: ProjectChanges): Promise<Project | undefined>;
}

/** Fields of a new token. */
export interface NewToken {
  readonly projectId: string;
  readonly tokenHash: string;
  readonly preview: string;
  readonly expiresAt: Date | null;
  readonly maxRequests: number | null;
  /** Optional label. @default null */
  readonly name?: string | null;
}

/** Changes to a token; absent fields stay as they are. */
export interface TokenChanges {
  /** Deactivating sets `deactivated_at` (kept if already set); reactivating clears it. */
  readonly isActive?: boolean;
  /** null means unlimited. */
  readonly maxRequests?: number | null;
  /** null removes the label. */
  readonly name?: string | null;
}

/** A new secret for an existing token (rotation): the old hash stops matching at once. */
export interface TokenSecretChange {
  readonly tokenHash: string;
  readonly preview: string;
}

/** Filter for token lists. */
/** What a token list may be ordered by. */
export type TokenSort = 'created' | 'expires' | 'last_used' | 'requests';

/** One page of a token list, in an order. */
export interface TokenListPage {
  /** @default 'created' */
  readonly sort?: TokenSort;
  /** Tokens without an expiry or a last use sort after the others either way. @default 'desc' */
  readonly order?: 'asc' | 'desc';
  readonly limit?: number;
  readonly offset?: number;
}

export interface TokenFilter {
  readonly projectId?: string;
  readonly activeOnly?: boolean;
  /** Only tokens of this status at `now`. */
  readonly status?: TokenStatus;
  /** The time the status is judged at. @default the repository clock's time */
  readonly now?: Date;
}

/** Result of revoking every token of a project. */
export interface BulkRevokeResult {
  readonly revoked: number;
  readonly alreadyRevoked: number;
  readonly total: number;
}

/** Tokens, addressed by their record id; the secret is only ever seen as its hash. */
export interface TokenRepository {
  create(token: NewToken): Promise<TokenRecord>;
  get(id: string): Promise<TokenRecord | undefined>;
  findByHash(tokenHash: string): Promise<TokenRecord | undefined>;
  /** Newest first. */
  list(filter?: TokenFilter, page?: TokenListPage): Promise<TokenRecord[]>;
  /** How many tokens the filter matches. */
  count(filter?: TokenFilter): Promise<number>;
  /** Writes only the given columns (no lost update of counters); undefined when the token does not exist. */
  update(id: string, changes: TokenChanges): Promise<TokenRecord | undefined>;
  /** Replaces the stored hash and preview of an active token; undefined when no active token has this id. */
  replaceSecret(id: string, secret: TokenSecretChange): Promise<TokenRecord | undefined>;
  /** Deactivates one token; `alreadyRevoked` when it was inactive before. Undefined when it does not exist. */
  revoke(id: string): Promise<{ alreadyRevoked: boolean } | undefined>;
  /** Deactivates every active token of a project in one statement. */
  revokeForProject(projectId: string): Promise<BulkRevokeResult>;
  /**
   * Counts one request against a token in a single atomic statement that also re-checks that the token is
   * active, unexpired and under its quota. False when any check fails: no request is counted then.
   */
  consumeRequest(id: string, now: Date): Promise<boolean>;
  /** Gives back one counted request (the upstream was never reached). */
  refundRequest(id: string): Promise<void>;
  /** How many tokens have each status at `now`, and the requests all of them made (one pass, no rows read). */
  countByStatus(now: Date): Promise<TokenCounts>;
  /** Adds batched request counts of tokens without a quota, and cache hits of every token. */
  addUsage(usage: readonly TokenUsage[]): Promise<void>;
}

/** Requests made with one token since the last flush. */
/** Tokens by status, and the requests counted on all of them. */
export interface TokenCounts {
  readonly total: number;
  readonly active: number;
  readonly expired: number;
  readonly revoked: number;
  readonly exhausted: number;
  readonly requests: number;
}

export interface TokenUsage {
  readonly id: string;
  /** Requests that count against `max_requests` (`request_count`). */
  readonly requests: number;
  /** Requests the response cache answered (`cache_hit_count`); they never count against the quota. */
  readonly cacheHits: number;
  readonly lastUsedAt: Date;
}

/** Filter for audit lists; string fields match exactly, `search` is a substring over the text columns. */
export interface AuditFilter {
  readonly action?: string;
  readonly actor?: string;
  readonly clientIp?: string;
  readonly projectId?: string;
  readonly outcome?: AuditOutcome;
  readonly requestId?: string;
  readonly correlationId?: string;
  readonly method?: string;
  readonly path?: string;
  readonly search?: string;
  readonly startTime?: Date;
  readonly endTime?: Date;
}

/** One page of audit events, newest first. */
export interface AuditPage {
  readonly events: AuditEventRecord[];
  readonly totalCount: number;
}

/** The `audit_events` table. */
export interface AuditRepository {
  insert(event: AuditEventRecord): Promise<void>;
  get(id: string): Promise<AuditEventRecord | undefined>;
  list(filter: AuditFilter, page: number, pageSize: number): Promise<AuditPage>;
  /** Deletes at most `limit` events older than `cutoff`; returns how many it deleted. */
  deleteOlderThan(cutoff: Date, limit: number): Promise<number>;
}

/** Usage to add to one `usage_hourly` row (created when missing). */
export interface UsageDelta extends UsageCounts {
  readonly projectId: string;
  /** `''` when the exchange had no token. */
  readonly tokenId: string;
  /** `''` when the request named no model. */
  readonly model: string;
  /** Start of the UTC hour; other times are rounded down to it. */
  readonly hour: Date;
}

/** The length of a usage report's periods. */
export type UsagePeriod = 'hour' | 'day' | 'all';

/** What a usage report covers and how it is grouped. */
export interface UsageQuery {
  readonly projectId?: string;
  readonly tokenId?: string;
  readonly model?: string;
  /** Hours starting at or after this time. */
  readonly from: Date;
  /** Hours starting before this time. */
  readonly to: Date;
  readonly groupBy: UsagePeriod;
  /** Breakdowns within each period. @default [] (one bucket per period) */
  readonly by?: readonly UsageDimension[];
  /** Most buckets returned; `truncated` says when more exist. @default unlimited */
  readonly limit?: number;
}

/** A usage report: buckets in period order (then project, token, model), and their totals. */
export interface UsageReport {
  /** Only periods with usage appear. */
  readonly buckets: UsageBucket[];
  /** The sums of every bucket of the query (of all of them, also when `truncated`). */
  readonly totals: UsageCounts;
  /** Models with usage the price table did not know, sorted; `''` stands for requests that named no model. */
  readonly unpricedModels: string[];
  /** More buckets exist than `limit`. */
  readonly truncated: boolean;
}

/** The `usage_hourly` table: additive writes, so that several instances can flush into the same rows. */
export interface UsageRepository {
  /**
   * Adds the deltas in one transaction: rows are created or have every counter increased, never overwritten,
   * so concurrent writers (other instances) lose nothing. Deltas of the same key are summed first.
   */
  add(rows: readonly UsageDelta[]): Promise<void>;
  /** The usage of the query's range, grouped by period (and breakdowns). */
  query(query: UsageQuery): Promise<UsageReport>;
}

/** Thrown when a project name is already taken (names are unique). */
export class DuplicateProjectNameError extends Error {
  constructor(name: string) {
    super(`project name already exists: ${name}`);
    this.name = 'DuplicateProjectNameError';
  }
}
