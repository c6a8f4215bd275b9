export { databaseUnavailableError, isDatabaseUnavailable } from './database-failure.js';
export { openStore } from './open-store.js';
export { openSqlite } from './sqlite-connection.js';
export type { OpenStoreOptions } from './open-store.js';
export type { DialectName, MigrationRunner, MigrationState, Store } from './store.js';
export { TOKEN_STATUSES, ZERO_USAGE, addUsageCounts, tokenStatus } from './records.js';
export type {
  AuditEventRecord,
  AuditOutcome,
  Project,
  TokenRecord,
  TokenStatus,
  UsageBucket,
  UsageCounts,
  UsageDimension,
} from './records.js';
export { DuplicateProjectNameError } from './repositories.js';
export type {
  AuditFilter,
  AuditPage,
  AuditRepository,
  BulkRevokeResult,
  NewProject,
  NewToken,
  ProjectChanges,
  ProjectRepository,
  TokenChanges,
  TokenFilter,
  TokenRepository,
  TokenSecretChange,
  TokenCounts,
  TokenListPage,
  TokenSort,
  TokenUsage,
  UsageDelta,
  UsagePeriod,
  UsageQuery,
  UsageReport,
  UsageRepository,
} from './repositories.js';
export type { EncryptReport, KeyStorageCounts, SecretsAtRest, SecretsReport } from './sql-secrets-at-rest.js';
