import { createServer } from 'node:net';

import type { ListenAddress } from '../../config/index.js';
import { CliError, errorCodeOf } from '../shared/cli-error.js';

/** The host to bind: an empty host means every IPv4 interface. */
export function bindHost(listen: ListenAddress): string {
  return listen.host === '' ? '0.0.0.0' : listen.host;
}

/** The one-line error for a failed bind. */
export function listenError(listen: ListenAddress, error: unknown): CliError {
  const address = formatListenAddress(listen);
  const code = errorCodeOf(error);
  const reason =
    code === 'EADDRINUSE'
      ? 'is already in use'
      : code === 'EACCES'
        ? 'needs more privileges (ports below 1024 usually do)'
        : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND'
          ? 'is not an address of this machine'
          : `cannot be bound (${code})`;
  return new CliError(`listen address ${address} ${reason}`, { cause: error });
}

/**
 * Binds the address once and lets it go again, so that a busy port is reported before the database is opened
 * (the server binds for real a moment later; a race there is reported the same way).
 */
export async function assertCanListen(listen: ListenAddress): Promise<void> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error) => {
      reject(listenError(listen, error));
    });
    probe.listen({ host: bindHost(listen), port: listen.port, exclusive: true }, () => {
      probe.close(() => {
        resolve();
      });
    });
  });
}

/** A listen address written the way LISTEN_ADDR takes it (`:8080`, `127.0.0.1:8080`, `[::1]:8080`). */
function formatListenAddress(listen: ListenAddress): string {
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return `${host}:${listen.port}`;
}
