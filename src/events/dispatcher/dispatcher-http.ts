import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Logger } from '../../core/index.js';
import { dispatcherHealth } from './dispatcher-health.js';
import type { DispatcherHealthRules } from './dispatcher-health.js';
import type { DispatcherMetrics, DispatcherMetricsSource } from './dispatcher-metrics.js';

/** Options of {@link createDispatcherHttpServer}. */
export interface DispatcherHttpOptions {
  readonly dispatcher: DispatcherMetricsSource;
  readonly metrics: DispatcherMetrics;
  readonly rules: DispatcherHealthRules;
  readonly logger: Logger;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/**
 * The dispatcher's own small HTTP server: `GET /health` answers 200 `{"status":"ok", …stats, lag}` or 503
 * `{"status":"unhealthy", "problems": […], …}`; `GET /metrics` the Prometheus text. Nothing else is served
 * (404), and only GET and HEAD are allowed (405).
 */
export function createDispatcherHttpServer(options: DispatcherHttpOptions): Server {
  const now = options.now ?? Date.now;
  const server = createServer((request, response) => {
    handle(request, response, options, now).catch((error: unknown) => {
      options.logger.error({ err: messageOf(error), url: request.url }, 'dispatcher HTTP request failed');
      if (!response.headersSent) send(response, 500, 'application/json', '{"error":"internal error"}');
      else response.destroy();
    });
  });
  // Probes and scrapers keep connections open; closing the server must not wait for them.
  server.keepAliveTimeout = 5000;
  return server;
}

/** Binds the server and resolves with its URL (`http://host:port`). */
export function listenDispatcherHttp(server: Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(`http://${shown}:${String(address.port)}`);
    });
  });
}

/** Stops accepting connections and drops the idle ones. */
export function closeDispatcherHttp(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => {
      resolve();
    });
    server.closeAllConnections();
  });
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  options: DispatcherHttpOptions,
  now: () => number,
): Promise<void> {
  const path = (request.url ?? '/').split('?', 1)[0];
  if (path !== '/health' && path !== '/metrics') {
    send(response, 404, 'application/json', '{"error":"not found"}');
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    send(response, 405, 'application/json', '{"error":"method not allowed"}');
    return;
  }
  if (path === '/metrics') {
    send(response, 200, options.metrics.contentType, await options.metrics.render());
    return;
  }
  const snapshot = await options.dispatcher.snapshot();
  const health = dispatcherHealth(snapshot, options.rules, now());
  const body = health.healthy
    ? { status: 'ok', ...snapshot }
    : { status: 'unhealthy', problems: health.problems, ...snapshot };
  send(response, health.healthy ? 200 : 503, 'application/json', JSON.stringify(body));
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
