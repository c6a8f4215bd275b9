import pino from 'pino';
import type { DestinationStream, LoggerOptions } from 'pino';

import type { Config } from '../config/index.js';
import { REDACTED_LOG_PATHS, REDACTION_CENSOR } from '../core/index.js';
import type { Logger } from '../core/index.js';

/** How long closing a log file may take before shutdown goes on without it. */
const CLOSE_TIMEOUT_MS = 2000;
const PINO_LAYOUT: LoggerOptions = { timestamp: pino.stdTimeFunctions.isoTime };
/** The original program's zap JSON keys: `ts` (ISO 8601), `level` as a word, `msg`; no pid or hostname. */
const ORIGINAL_LAYOUT: LoggerOptions = {
  timestamp: () => `,"ts":"${new Date().toISOString()}"`,
  formatters: { level: (label) => ({ level: label }) },
  base: undefined,
};

/** The process logger and how to let go of its destination. */
export interface ProcessLogger {
  readonly logger: Logger;
  /** Writes what is buffered; a `LOG_FILE` is closed, standard output stays open. */
  close(): Promise<void>;
}

/**
 * The process logger: JSON lines (`LOG_FORMAT=json`) or human-readable lines (`console`), on standard output or
 * appended to `LOG_FILE`, with secrets redacted; `LOG_LAYOUT=original` writes the original program's keys.
 */
export async function createLogger(log: Config['log']): Promise<ProcessLogger> {
  const options: LoggerOptions = {
    level: log.level,
    redact: { paths: [...REDACTED_LOG_PATHS], censor: REDACTION_CENSOR },
    ...(log.layout === 'original' && log.format === 'json' ? ORIGINAL_LAYOUT : PINO_LAYOUT),
  };
  const destination = await destinationFor(log);
  const logger = pino(options, destination);
  return {
    logger,
    close: () =>
      new Promise((resolve) => {
        logger.flush();
        if (log.file === '') {
          resolve();
          return;
        }
        // A destination that never reports closing must not hold the shutdown.
        const timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
        destination.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        destination.end();
      }),
  };
}

/** What the logger writes to: pino's file or standard-output destination, or pino-pretty's stream. */
interface LogDestination extends DestinationStream {
  end(): void;
  once(event: 'close', listener: () => void): unknown;
}

async function destinationFor(log: Config['log']): Promise<LogDestination> {
  const target = log.file === '' ? 1 : log.file;
  if (log.format === 'console') {
    // Loaded only when asked for: JSON logging (the default) does not pay for it in memory.
    const { default: pretty } = await import('pino-pretty');
    return pretty({
      destination: target,
      append: true,
      mkdir: true,
      colorize: log.file === '' && process.stdout.isTTY,
      translateTime: 'SYS:standard',
      ignore: 'pid,hostname',
    });
  }
  return pino.destination({ dest: target, append: true, mkdir: true, sync: false });
}
