import pino from 'pino';
import type { DestinationStream, LoggerOptions } from 'pino';

import type { Config } from '../config/index.js';
import { REDACTED_LOG_PATHS, REDACTION_CENSOR } from '../core/index.js';
import type { Logger } from '../core/index.js';

/**
 * The process logger: JSON lines (`LOG_FORMAT=json`) or human-readable lines (`console`), on standard output or
 * appended to `LOG_FILE`, with secrets redacted.
 */
export async function createLogger(log: Config['log']): Promise<Logger> {
  const options: LoggerOptions = {
    level: log.level,
    redact: { paths: [...REDACTED_LOG_PATHS], censor: REDACTION_CENSOR },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return pino(options, await destinationFor(log));
}

async function destinationFor(log: Config['log']): Promise<DestinationStream> {
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
