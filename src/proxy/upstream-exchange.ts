import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

import type { Dispatcher } from 'undici';

import { clientResponseHeaders } from './forwarded-headers.js';

/** What happened to one upstream exchange; reported exactly once. */
export type ExchangeOutcome =
  | { kind: 'completed'; status: number }
  /** The upstream failed before answering: the client has not been answered yet. */
  | { kind: 'failed-before-response'; error: Error }
  /** The upstream failed while the body was being relayed: the client already has status and headers. */
  | { kind: 'failed-mid-response'; status: number; error: Error }
  /**
   * The client went away; the upstream request was aborted. `reachedUpstream`: the request had already been
   * handed to the upstream connection (so it may have started a paid generation); `responded`: the upstream's
   * answer had begun.
   */
  | { kind: 'client-gone'; reachedUpstream: boolean; responded: boolean };

/** Options for {@link UpstreamExchange}. */
export interface UpstreamExchangeOptions {
  readonly res: ServerResponse;
  /** Headers the proxy adds to every response it relays. */
  readonly extraHeaders: OutgoingHttpHeaders;
  /** Called when the upstream's status and headers arrive (before they are relayed). */
  readonly onResponseStart: (status: number) => OutgoingHttpHeaders;
  readonly onDone: (outcome: ExchangeOutcome) => void;
}

const SSE_TERMINATION = Buffer.from(
  'data: {"error":{"message":"upstream connection lost mid-stream","type":"proxy_error","code":"upstream_stream_error"}}\n\n',
);

/**
 * Relays one upstream response to the client as it arrives — chunk by chunk, nothing buffered, with
 * backpressure both ways — and aborts the upstream request when the client goes away (which stops a paid
 * generation). A stream that fails midway ends cleanly: an SSE response gets a final error event so clients
 * see the failure instead of a silently truncated answer; other responses are cut so clients see an error.
 */
export class UpstreamExchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private done = false;
  private clientGone = false;
  private streaming = false;
  private reachedUpstream = false;

  constructor(private readonly options: UpstreamExchangeOptions) {
    // The client may have left while the request was being checked: its 'close' has been emitted already.
    this.clientGone = options.res.destroyed;
    options.res.once('close', this.onClientClose);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.clientGone) controller.abort(new Error('client disconnected'));
    else this.reachedUpstream = true;
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200) return;
    this.status = statusCode;
    const contentType = headers['content-type'];
    this.streaming = typeof contentType === 'string' && contentType.startsWith('text/event-stream');
    const extra = { ...this.options.extraHeaders, ...this.options.onResponseStart(statusCode) };
    const { res } = this.options;
    res.writeHead(statusCode, clientResponseHeaders(headers, extra));
    if (this.streaming) res.flushHeaders();
    res.on('drain', () => {
      controller.resume();
    });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.options.res.write(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    this.options.res.end();
    this.finish({ kind: 'completed', status: this.status });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    const { res } = this.options;
    if (this.clientGone) {
      this.finish({
        kind: 'client-gone',
        reachedUpstream: this.reachedUpstream,
        responded: this.status !== 0,
      });
      return;
    }
    if (this.status === 0) {
      this.finish({ kind: 'failed-before-response', error });
      return;
    }
    if (this.streaming && !res.destroyed) res.end(SSE_TERMINATION);
    else res.destroy(error);
    this.finish({ kind: 'failed-mid-response', status: this.status, error });
  }

  private readonly onClientClose = (): void => {
    if (this.done || this.options.res.writableFinished) return;
    this.clientGone = true;
    this.controller?.abort(new Error('client disconnected'));
  };

  private finish(outcome: ExchangeOutcome): void {
    if (this.done) return;
    this.done = true;
    this.options.res.off('close', this.onClientClose);
    this.options.onDone(outcome);
  }
}
