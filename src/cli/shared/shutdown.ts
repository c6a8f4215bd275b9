import type { Logger } from '../../core/index.js';
import { CliError } from './cli-error.js';
import { describe } from './open-database.js';

const SHUTDOWN_DEADLINE_MS = 30_000;

/**
 * Resolves once SIGINT or SIGTERM has stopped the service gracefully; rejects when the stop fails, takes past
 * 30 s, or a second signal asks to exit at once.
 */
export function waitForShutdown(logger: Logger, stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        reject(new CliError(`${signal} received again: exiting without waiting for the shutdown`));
        return;
      }
      stopping = true;
      logger.info({ signal }, 'shutting down');
      const deadline = setTimeout(() => {
        reject(new CliError('shutdown did not finish within 30 s'));
      }, SHUTDOWN_DEADLINE_MS);
      stop().then(
        () => {
          clearTimeout(deadline);
          logger.info('stopped');
          resolve();
        },
        (error: unknown) => {
          clearTimeout(deadline);
          reject(new CliError(`shutdown failed: ${describe(error)}`, { cause: error }));
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
