import { REDACTED_LOG_PATHS, REDACTION_CENSOR } from '../core/index.js';
import type { Logger } from '../core/index.js';

/** A child of the given logger that censors secret-bearing fields in everything logged through it. */
export function redactingLogger(logger: Logger): Logger {
  return logger.child({}, { redact: { paths: [...REDACTED_LOG_PATHS], censor: REDACTION_CENSOR } });
}
