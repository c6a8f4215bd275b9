import type { IncomingHttpHeaders, OutgoingHttpHeaders, RequestListener, ServerResponse } from 'node:http';

import type { Dispatcher } from 'undici';

/** Options for {@link createPassThrough}. */
export interface PassThroughOptions {
  /** The upstream connection pool. */
  readonly upstream: Dispatcher;
  /** Sent upstream as `Authorization: Bearer <apiKey>` in place of the client's credential. */
  readonly apiKey: string;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) plus `host`: they describe one connection, not the message. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);
const BAD_GATEWAY = Buffer.from(
  JSON.stringify({ error: { message: 'upstream unreachable', type: 'proxy_error', code: 'bad_gateway' } }),
);

/**
 * The least a Node proxy can do per request — read the body, swap the credential, forward over a keep-alive
 * pool and relay the answer chunk by chunk with backpressure — as the ceiling llm-proxy is compared with.
 */
export function createPassThrough(options: PassThroughOptions): RequestListener {
  const authorization = `Bearer ${options.apiKey}`;

  return function passThrough(req, res) {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body =
        chunks.length === 0 ? null : chunks.length === 1 ? (chunks[0] ?? null) : Buffer.concat(chunks);
      options.upstream.dispatch(
        {
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          headers: forwardedHeaders(req.headers, authorization),
          body,
        },
        new Relay(res),
      );
    });
  };
}

/** Relays one upstream response to the client; aborts the upstream request when the client goes away. */
class Relay implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private finished = false;

  constructor(private readonly res: ServerResponse) {
    res.once('close', this.onClientClose);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    this.res.writeHead(statusCode, responseHeaders(headers));
    this.res.on('drain', () => {
      controller.resume();
    });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.res.write(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    this.finished = true;
    this.res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.finished = true;
    if (this.res.headersSent) {
      this.res.destroy(error);
      return;
    }
    this.res.writeHead(502, { 'content-type': 'application/json', 'content-length': BAD_GATEWAY.length });
    this.res.end(BAD_GATEWAY);
  }

  private readonly onClientClose = (): void => {
    if (!this.finished) this.controller?.abort(new Error('client disconnected'));
  };
}

function forwardedHeaders(
  headers: IncomingHttpHeaders,
  authorization: string,
): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !HOP_BY_HOP.has(name)) result[name] = value;
  }
  result.authorization = authorization;
  return result;
}

function responseHeaders(headers: Record<string, string | string[] | undefined>): OutgoingHttpHeaders {
  const result: OutgoingHttpHeaders = {};
  for (const name in headers) {
    if (!HOP_BY_HOP.has(name)) result[name] = headers[name];
  }
  return result;
}
