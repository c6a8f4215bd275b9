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

/** The request an exchange reports to. */
export interface ExchangeOwner {
  /**
   * Called when the upstream's status and headers arrive, with the headers about to be relayed; adds the
   * proxy's own headers to them.
   */
  onUpstreamResponse(status: number, headers: OutgoingHttpHeaders): void;
  /** Called exactly once when the exchange is over. */
  onExchangeDone(outcome: ExchangeOutcome): void;
}

/** How long a stream's headers may wait for its first chunk, as the original's `flush_interval` (10 ms). */
const HEADER_FLUSH_MS = 10;

const SSE_TERMINATION = Buffer.from(
  'data: {"error":{"message":"upstream connection lost mid-stream","type":"proxy_error","code":"upstream_stream_error"}}\n\n',
);

/**
 * Relays one upstream response to the client as it arrives — chunk by chunk, nothing buffered, with
 * backpressure both ways — and aborts the upstream request when the client goes away (which stops a paid
 * generation). A stream that fails midway ends cleanly: an SSE response gets a final error event so clients
 * see the failure instead of a silently truncated answer; other responses are cut so clients see an error.
 * The owner reports the client's `close` through {@link clientClosed}.
 */
export class UpstreamExchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private done = false;
  private clientGone: boolean;
  private streaming = false;
  private wroteBody = false;
  private headerFlush: NodeJS.Timeout | undefined;
  private reachedUpstream = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly owner: ExchangeOwner,
  ) {
    // The client may have left while the request was being checked: its 'close' has been emitted already.
    this.clientGone = res.destroyed;
  }

  /** The client's connection closed; aborts the upstream request unless the response was complete. */
  clientClosed(): void {
    if (this.done || this.res.writableFinished) return;
    this.clientGone = true;
    this.controller?.abort(new Error('client disconnected'));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.clientGone) controller.abort(new Error('client disconnected'));
    else this.reachedUpstream = true;
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200) return;
    this.status = statusCode;
    const contentType = headers['content-type'];
    this.streaming = typeof contentType === 'string' && contentType.startsWith('text/event-stream');
    const relayed = clientResponseHeaders(headers);
    this.owner.onUpstreamResponse(statusCode, relayed);
    this.res.writeHead(statusCode, relayed);
    // A stream's headers leave with its first chunk when that follows quickly (one write instead of two), and
    // on their own after HEADER_FLUSH_MS otherwise: a slow first token must not hold them back.
    if (this.streaming) this.headerFlush = setTimeout(flushHeadersIfIdle, HEADER_FLUSH_MS, this);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.wroteBody = true;
    if (this.headerFlush !== undefined) {
      clearTimeout(this.headerFlush);
      this.headerFlush = undefined;
    }
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', () => {
        this.controller?.resume();
      });
    }
  }

  onResponseEnd(): void {
    this.res.end();
    this.finish({ kind: 'completed', status: this.status });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    const { res } = this;
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

  /** Sends the headers of a stream whose first chunk is slow to come. */
  flushHeadersIfIdle(): void {
    this.headerFlush = undefined;
    const { res } = this;
    if (!this.wroteBody && !res.writableEnded && !res.destroyed) res.flushHeaders();
  }

  private finish(outcome: ExchangeOutcome): void {
    if (this.done) return;
    this.done = true;
    if (this.headerFlush !== undefined) clearTimeout(this.headerFlush);
    this.owner.onExchangeDone(outcome);
  }
}

// A plain function with the exchange as its argument: no closure is allocated per stream.
function flushHeadersIfIdle(exchange: UpstreamExchange): void {
  exchange.flushHeadersIfIdle();
}
