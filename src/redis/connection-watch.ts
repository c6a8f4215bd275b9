import type { Logger } from '../core/index.js';

/** The connection events the watch listens to (an ioredis client). */
interface WatchedConnection {
  readonly status: string;
  on(event: 'ready' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'ready' | 'close', listener: () => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
}

/** Stops watching (before the connections are closed on purpose). */
interface ConnectionWatch {
  stop(): void;
}

/**
 * Keeps connection errors from crashing the process (an EventEmitter `error` without a listener would) and
 * turns the flood of errors of an outage — one per reconnect attempt and per connection — into one warning
 * when the first connection drops and one info line when every connection is back.
 */
export function watchConnections(
  connections: Readonly<Record<string, WatchedConnection>>,
  logger: Logger,
): ConnectionWatch {
  const down = new Set<string>();
  let outage = false;
  const detach: (() => void)[] = [];

  const lost = (name: string, error?: Error): void => {
    down.add(name);
    if (outage) return;
    outage = true;
    logger.warn(
      { connection: name, ...(error !== undefined && { err: { message: error.message } }) },
      'redis unreachable: serving on without it, reconnecting with backoff',
    );
  };

  for (const [name, connection] of Object.entries(connections)) {
    const onError = (error: Error): void => {
      if (connection.status === 'ready') {
        logger.warn({ connection: name, err: { message: error.message } }, 'redis connection error');
      } else {
        lost(name, error);
      }
    };
    const onClose = (): void => {
      lost(name);
    };
    const onReady = (): void => {
      down.delete(name);
      if (outage && down.size === 0) {
        outage = false;
        logger.info('redis reconnected');
      }
    };
    connection.on('error', onError);
    connection.on('close', onClose);
    connection.on('ready', onReady);
    detach.push(() => {
      // A listener stays for errors after stop: closing connections may still emit one.
      connection.off('close', onClose);
      connection.off('ready', onReady);
      connection.off('error', onError);
      connection.on('error', ignore);
    });
  }
  return {
    stop() {
      for (const undo of detach.splice(0)) undo();
    },
  };
}

function ignore(): void {
  // Errors of a connection being closed on purpose are of no interest.
}
