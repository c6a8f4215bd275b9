import type { AuditRepository, ProjectRepository, TokenRepository, UsageRepository } from './repositories.js';
import type { SecretsAtRest } from './sql-secrets-at-rest.js';

/** Which SQL database is behind a store. */
export type DialectName = 'sqlite' | 'postgres';

/** All persistent state, behind one interface for SQLite and PostgreSQL. */
export interface Store {
  readonly dialect: DialectName;
  readonly projects: ProjectRepository;
  readonly tokens: TokenRepository;
  readonly audit: AuditRepository;
  /** Token usage per project, token, model and hour. */
  readonly usage: UsageRepository;
  readonly migrations: MigrationRunner;
  /** How provider keys and tokens are stored at rest, and their migration to the current key. */
  readonly secrets: SecretsAtRest;
  /** Runs the work in one transaction; the store handed to it uses that transaction. */
  transaction<T>(work: (store: Store) => Promise<T>): Promise<T>;
  /** Throws when the database cannot answer (used by `/ready`). */
  ping(): Promise<void>;
  /**
   * Throws when the database cannot be written (full, read-only, lost): creates a table in a transaction
   * that is rolled back, so nothing is left behind (used by `/ready`).
   */
  probeWrite(): Promise<void>;
  close(): Promise<void>;
}

/** State of one migration. */
export interface MigrationState {
  readonly name: string;
  readonly executedAt: Date | undefined;
}

/** Runs the one migration set on whichever dialect the store uses, under a cross-process lock. */
export interface MigrationRunner {
  /** Applies every pending migration; returns the names applied. */
  latest(): Promise<string[]>;
  /** Applies the next pending migration, if any. */
  up(): Promise<string[]>;
  /** Reverts the last applied migration, if any. */
  down(): Promise<string[]>;
  status(): Promise<MigrationState[]>;
}
