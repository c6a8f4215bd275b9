import type { OutgoingHttpHeader } from 'node:http';
import { performance } from 'node:perf_hooks';

import type { Dispatcher } from 'undici';

import { AppError, ERRORS } from '../../core/index.js';
import { EXPOSED_HEADERS, varyWithOrigin } from '../cors.js';
import { proxyErrorAnswer, streamErrorEvent } from '../error-answer.js';
import type { ProxyExchange } from '../proxy-exchange.js';
import { toProxyError } from '../upstream-errors.js';
import type { ExchangeHandler, ExchangeStart, ResponseHeaders } from './tap.js';

/** How long a stream's headers may wait for its first chunk, as the original's `flush_interval` (10 ms). */
const HEADER_FLUSH_MS = 10;

/** The event that ends an SSE stream whose upstream failed midway, so clients see the failure. */
const STREAM_ERROR = new AppError(ERRORS.UPSTREAM_STREAM_ERROR);
const SSE_TERMINATION = {
  openai: streamErrorEvent(STREAM_ERROR, 'openai'),
  anthropic: streamErrorEvent(STREAM_ERROR, 'anthropic'),
} as const;

/**
 * The innermost link of every response chain: writes the answer to the client as it arrives — chunk by
 * chunk, nothing buffered, pausing the source while the client's socket is full — and adds the proxy's own
 * headers (request id, `X-Proxy`, CORS, upstream timings), which taps therefore never see or store. A stream
 * that fails midway ends cleanly: an SSE response gets a final error event, other bodies are cut so that the
 * client sees an error rather than a silently truncated answer.
 */
export class ClientRelay implements ExchangeHandler {
  private status = 0;
  private streaming = false;
  private wroteBody = false;
  private headerFlush: NodeJS.Timeout | undefined;

  constructor(private readonly exchange: ProxyExchange) {}

  onRequestStart(_controller: Dispatcher.DispatchController, start: ExchangeStart): void {
    this.exchange.source = start.source;
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: ResponseHeaders,
  ): void {
    const { exchange } = this;
    this.status = statusCode;
    const contentType = headers['content-type'];
    this.streaming = typeof contentType === 'string' && contentType.startsWith('text/event-stream');
    const timed = exchange.source === 'upstream';
    const outgoing = this.withOwnHeaders(headers, timed);
    if (timed) {
      outgoing.push(
        'x-upstream-request-start',
        exchange.epochNanosAt(exchange.upstreamStartedAt),
        'x-upstream-request-stop',
        exchange.epochNanosAt(exchange.upstreamRespondedAt),
      );
    }
    exchange.res.writeHead(statusCode, outgoing);
    // A stream's headers leave with its first chunk when that follows quickly (one write instead of two), and
    // on their own after HEADER_FLUSH_MS otherwise: a slow first token must not hold them back.
    if (this.streaming) this.headerFlush = setTimeout(flushHeadersIfIdle, HEADER_FLUSH_MS, this);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const { exchange } = this;
    // The client left while others still receive this answer (a collapsed request): nothing to write to.
    if (exchange.clientGone) return;
    if (!this.wroteBody) {
      this.wroteBody = true;
      exchange.firstByteAt = performance.now();
      if (this.headerFlush !== undefined) {
        clearTimeout(this.headerFlush);
        this.headerFlush = undefined;
      }
    }
    exchange.bytesOut += chunk.length;
    if (!exchange.res.write(chunk)) {
      controller.pause();
      exchange.res.once('drain', () => {
        controller.resume();
      });
    }
  }

  onResponseEnd(): void {
    this.stopHeaderFlush();
    this.exchange.res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.stopHeaderFlush();
    const { exchange } = this;
    const { res } = exchange;
    if (exchange.clientGone) return;
    if (this.status === 0) {
      // The upstream failed before answering: the client gets the proxy's 502 or 504.
      const failure = toProxyError(error);
      exchange.errorCode = failure.code;
      exchange.outcome = 'upstream_failed';
      exchange.logger.warn(
        { requestId: exchange.requestId, code: failure.code, err: error },
        'proxy request failed',
      );
      const answer = proxyErrorAnswer(failure, exchange.errorFormat());
      res.writeHead(answer.status, this.withOwnHeaders(answer.headers, false));
      res.end(answer.chunks[0]);
      return;
    }
    exchange.outcome = 'interrupted';
    exchange.logger.warn({ requestId: exchange.requestId, err: error }, 'upstream failed mid-response');
    if (this.streaming && !res.destroyed) res.end(SSE_TERMINATION[exchange.errorFormat()]);
    else res.destroy(error);
  }

  /** Sends the headers of a stream whose first chunk is slow to come. */
  flushHeadersIfIdle(): void {
    this.headerFlush = undefined;
    const { res } = this.exchange;
    if (!this.wroteBody && !res.writableEnded && !res.destroyed) res.flushHeaders();
  }

  /**
   * The answer's headers with the proxy's own: its request id, `X-Proxy`, the cache's `X-PROXY-CACHE` and
   * `Cache-Status` and, for a browser, `Vary: Origin` and — at an origin listed in `allowed_origins` — CORS
   * (see `ProxyExchange.browserMayRead`). A cached answer gets them here as well: they are never stored.
   * Written as name/value pairs, which node:http takes as they are: the answer's own header object (shared by
   * the taps, or a stored entry's) is never changed, and no property is added to an object per request.
   */
  private withOwnHeaders(headers: ResponseHeaders, timed: boolean): OutgoingHttpHeader[] {
    const { exchange } = this;
    const origin = exchange.req.headers.origin;
    const signal = exchange.cacheSignalToSend();
    const cors = origin !== undefined && exchange.browserMayRead(origin);
    const outgoing: OutgoingHttpHeader[] = [];
    for (const name of Object.keys(headers)) {
      const value = headers[name];
      if (value === undefined) continue;
      // What the proxy writes itself replaces the answer's own value (a browser's Vary is extended below).
      if (name === 'x-request-id' || name === 'x-proxy') continue;
      if (signal !== undefined && (name === 'x-proxy-cache' || name === 'cache-status')) continue;
      if (origin !== undefined && name === 'vary') continue;
      if (cors && (name === 'access-control-allow-origin' || name === 'access-control-expose-headers'))
        continue;
      if (timed && (name === 'x-upstream-request-start' || name === 'x-upstream-request-stop')) continue;
      outgoing.push(name, value);
    }
    outgoing.push('x-request-id', exchange.requestId, 'x-proxy', 'llm-proxy');
    if (signal !== undefined)
      outgoing.push('x-proxy-cache', signal.outcome, 'cache-status', signal.cacheStatus);
    if (cors) {
      outgoing.push('access-control-allow-origin', origin, 'access-control-expose-headers', EXPOSED_HEADERS);
    }
    if (origin !== undefined) outgoing.push('vary', varyWithOrigin(headers.vary));
    return outgoing;
  }

  private stopHeaderFlush(): void {
    if (this.headerFlush !== undefined) {
      clearTimeout(this.headerFlush);
      this.headerFlush = undefined;
    }
  }
}

// A plain function with the relay as its argument: no closure is allocated per stream.
function flushHeadersIfIdle(relay: ClientRelay): void {
  relay.flushHeadersIfIdle();
}
