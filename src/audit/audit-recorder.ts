import type { AuditOutcome } from '../store/index.js';

/** What a caller reports about one audited action; the recorder adds the id and the timestamp. */
export interface AuditEntry {
  readonly action: string;
  readonly actor: string;
  readonly outcome: AuditOutcome;
  readonly projectId?: string | undefined;
  readonly requestId?: string | undefined;
  readonly correlationId?: string | undefined;
  readonly clientIp?: string | undefined;
  readonly method?: string | undefined;
  readonly path?: string | undefined;
  readonly userAgent?: string | undefined;
  /** Why the action failed or was denied. */
  readonly reason?: string | undefined;
  /** Already masked token identifier; never a secret. */
  readonly tokenId?: string | undefined;
  /** Action-specific facts; secrets are masked again by the recorder as a safety net. */
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}

/** Counters of a recorder, for metrics and tests. */
export interface AuditStats {
  /** Events waiting to be written. */
  readonly queued: number;
  /** Events thrown away because the queue was full or the recorder was closed. */
  readonly dropped: number;
  /** Failed writes (file batches or database rows). */
  readonly writeFailures: number;
}

/** Records audit events off the request path: `record` never throws, blocks or waits for I/O. */
export interface AuditRecorder {
  record(event: AuditEntry): void;
  /** Resolves once every event recorded so far has been written (or has failed to be). */
  flush(): Promise<void>;
  /** Flushes, then releases the file; later events are dropped. */
  close(): Promise<void>;
  stats(): AuditStats;
}
