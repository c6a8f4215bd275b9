import type { ColumnType } from 'kysely';

/** Timestamps: `timestamptz` on PostgreSQL (Date), ISO-8601 UTC text on SQLite. */
type Timestamp = ColumnType<Date | string, Date, Date>;
type NullableTimestamp = ColumnType<Date | string | null, Date | null | undefined, Date | null>;
/** Booleans: `boolean` on PostgreSQL, 0/1 on SQLite. */
type Bool = ColumnType<boolean | number, boolean | undefined, boolean>;
/** Counters: PostgreSQL aggregates may come back as strings. */
type Counter = ColumnType<number | string, number | undefined, number>;

/** The `projects` table (names as in the original program). */
export interface ProjectsTable {
  id: string;
  name: string;
  api_key: string;
  provider: string | null;
  /** Added by 0004; null means POST answers are cached only when the client opts in. */
  cache_post_ttl_seconds: number | null;
  is_active: Bool;
  deactivated_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** The `tokens` table; `token` holds the SHA-256 hex of the secret. */
export interface TokensTable {
  id: string;
  token: string;
  token_preview: string | null;
  /** Optional label given by the operator (migration 0003). */
  name: string | null;
  project_id: string;
  expires_at: NullableTimestamp;
  is_active: Bool;
  deactivated_at: NullableTimestamp;
  request_count: Counter;
  max_requests: number | null;
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
  cache_hit_count: Counter;
}

/** The `audit_events` table. */
export interface AuditEventsTable {
  id: string;
  timestamp: Timestamp;
  action: string;
  actor: string;
  project_id: string | null;
  request_id: string | null;
  correlation_id: string | null;
  client_ip: string | null;
  method: string | null;
  path: string | null;
  user_agent: string | null;
  outcome: string;
  reason: string | null;
  token_id: string | null;
  metadata: string | null;
}

/** The keys and counters `usage_hourly` and `usage_daily` share. `token_id` and `model` are `''` when unknown. */
export interface UsageColumns {
  project_id: string;
  token_id: string;
  model: string;
  requests: Counter;
  input_tokens: Counter;
  output_tokens: Counter;
  cached_tokens: Counter;
  reasoning_tokens: Counter;
  cache_hits: Counter;
  errors: Counter;
  estimated_requests: Counter;
  unpriced_requests: Counter;
  cost_usd: ColumnType<number | string, number | undefined, number>;
}

/**
 * The `usage_hourly` table (migration 0005): what the exchanges of one project, token and model used in one
 * UTC hour. `token_id` and `model` are `''` when unknown, so that they can be part of the primary key.
 */
export interface UsageHourlyTable extends UsageColumns {
  /** Start of the UTC hour. */
  hour: Timestamp;
}

/** The `usage_daily` table (migration 0007): the same sums per UTC day, written with the hours. */
export interface UsageDailyTable extends UsageColumns {
  /** Start (midnight) of the UTC day. */
  day: Timestamp;
}

/** Every table the store queries. */
export interface Database {
  projects: ProjectsTable;
  tokens: TokensTable;
  audit_events: AuditEventsTable;
  usage_hourly: UsageHourlyTable;
  usage_daily: UsageDailyTable;
}
