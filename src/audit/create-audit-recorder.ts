import { systemClock } from '../core/index.js';
import type { Clock, Logger } from '../core/index.js';
import type { Config } from '../config/index.js';
import type { Store } from '../store/index.js';
import type { AuditRecorder } from './audit-recorder.js';
import { noopAuditRecorder } from './noop-audit-recorder.js';
import { QueuedAuditRecorder } from './queued-audit-recorder.js';

/** What {@link createAuditRecorder} needs. */
export interface CreateAuditRecorderOptions {
  readonly config: Config['audit'];
  readonly store: Store;
  readonly logger: Logger;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Events held in memory at most before new ones are dropped. @default 10000 */
  readonly queueLimit?: number;
}

/** Builds the audit recorder the configuration asks for: a no-op when auditing is disabled. */
export function createAuditRecorder(options: CreateAuditRecorderOptions): AuditRecorder {
  const { config } = options;
  if (!config.enabled) return noopAuditRecorder;
  return new QueuedAuditRecorder({
    file: config.file,
    createDir: config.createDir,
    store: config.storeInDb ? options.store : undefined,
    logger: options.logger,
    clock: options.clock ?? systemClock,
    queueLimit: options.queueLimit,
  });
}
