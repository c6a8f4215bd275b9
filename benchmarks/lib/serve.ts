import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a benchmark server prints, as one JSON line on stdout, once it accepts connections. */
export interface ReadyLine {
  readonly ready: true;
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  readonly url: string;
}

/** Options for {@link serveOnLoopback}. */
export interface ServeOptions {
  /** Shown in the ready line. */
  readonly name: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Runs after the server has closed, on SIGINT or SIGTERM. */
  readonly onClose?: () => Promise<void>;
}

/**
 * Listens on 127.0.0.1, announces the port as one JSON line on stdout and shuts down on SIGINT/SIGTERM. Idle
 * keep-alive connections are kept for a minute so that no measured request pays for a new connection.
 */
export async function serveOnLoopback(server: Server, options: ServeOptions): Promise<ReadyLine> {
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const line: ReadyLine = {
    ready: true,
    name: options.name,
    pid: process.pid,
    port,
    url: `http://127.0.0.1:${port}`,
  };
  const stop = (): void => {
    server.closeAllConnections();
    server.close(() => {
      void (options.onClose?.() ?? Promise.resolve()).finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.write(`${JSON.stringify(line)}\n`);
  return line;
}
