import type { Clock, Logger } from '../core/index.js';
import type { AuditRepository } from '../store/index.js';

const DEFAULT_INTERVAL_MS = 60 * 60 * 1000;
const DEFAULT_BATCH_SIZE = 1000;

/** Options of {@link startAuditRetention}. */
export interface AuditRetentionOptions {
  readonly audit: Pick<AuditRepository, 'deleteOlderThan'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Events older than this are deleted. */
  readonly retentionMs: number;
  /** Time between runs. @default 3600000 (one hour) */
  readonly intervalMs?: number;
  /** Events deleted per statement. @default 1000 */
  readonly batchSize?: number;
}

/** A running retention job. */
export interface AuditRetention {
  /** Deletes every event older than the retention now, batch by batch; resolves with how many. */
  runOnce(): Promise<number>;
  /** Stops the schedule and waits for a run in progress. */
  close(): Promise<void>;
}

/**
 * Deletes audit events older than the retention from the database: once at start, then on an interval, in
 * bounded batches so that no statement holds a long lock. Failures are logged and retried on the next run.
 * Only the database is pruned: the JSONL audit file is left to the host's log rotation.
 */
export function startAuditRetention(options: AuditRetentionOptions): AuditRetention {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  let running: Promise<number> | undefined;
  let closed = false;

  async function prune(): Promise<number> {
    const cutoff = new Date(options.clock.now().getTime() - options.retentionMs);
    let deleted = 0;
    for (;;) {
      const batch = await options.audit.deleteOlderThan(cutoff, batchSize);
      deleted += batch;
      if (batch < batchSize || closed) break;
    }
    if (deleted > 0) {
      options.logger.info(
        { deleted, before: cutoff.toISOString() },
        'deleted audit events past AUDIT_RETENTION',
      );
    }
    return deleted;
  }

  function runOnce(): Promise<number> {
    running ??= prune()
      .catch((error: unknown) => {
        options.logger.warn({ err: error }, 'deleting old audit events failed; will retry');
        return 0;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  const timer = setInterval(() => void runOnce(), options.intervalMs ?? DEFAULT_INTERVAL_MS);
  timer.unref();
  void runOnce();
  return {
    runOnce,
    async close() {
      closed = true;
      clearInterval(timer);
      await running;
    },
  };
}
