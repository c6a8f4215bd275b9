import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';

import type { Dispatcher } from 'undici';

import { clientResponseHeaders } from '../forwarded-headers.js';
import type { ProxyExchange } from '../proxy-exchange.js';
import type { Admitted } from '../request-state.js';
import type { ExchangeHandler, ExchangeStart } from './tap.js';

/** The reason handed to the upstream request when the client goes away. */
export const CLIENT_GONE = new Error('client disconnected');

const UPSTREAM_START: ExchangeStart = { source: 'upstream' };

/**
 * The outermost link of an upstream exchange: the handler undici dispatches to. It settles what the request
 * was admitted with — the quota (given back only when the request never left the proxy: one the upstream
 * received may be billed) and the circuit breaker (upstream failures and 502/503/504 count against it, the
 * proxy's own refusals never) — strips hop-by-hop headers, and hands everything on to the taps.
 */
export class UpstreamLink implements Dispatcher.DispatchHandler {
  private responded = false;

  constructor(
    private readonly next: ExchangeHandler,
    private readonly exchange: ProxyExchange,
    private readonly state: Admitted,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    const { exchange } = this;
    exchange.controller = controller;
    // The client left while the request was being checked or queued: it never leaves the proxy.
    if (exchange.clientGone) {
      controller.abort(CLIENT_GONE);
      return;
    }
    exchange.reachedUpstream = true;
    this.next.onRequestStart(controller, UPSTREAM_START);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    if (statusCode < 200) return;
    this.responded = true;
    this.exchange.upstreamRespondedAt = performance.now();
    const { breaker, admission } = this.state;
    if (statusCode === 502 || statusCode === 503 || statusCode === 504) breaker.recordFailure();
    else breaker.recordSuccess();
    admission.commit();
    this.next.onResponseStart(controller, statusCode, clientResponseHeaders(headers), statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.next.onResponseData(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.next.onResponseEnd(controller, trailers);
    this.exchange.upstreamSettled();
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    const { exchange, state } = this;
    if (exchange.clientGone) {
      if (!exchange.reachedUpstream) state.admission.refund();
      // A trial whose client left before the answer says nothing about the upstream: let another one try.
      if (state.trial && !this.responded) state.breaker.release();
    } else {
      if (!this.responded) state.admission.refund();
      state.breaker.recordFailure();
    }
    this.next.onResponseError(controller, error);
    exchange.upstreamSettled();
  }
}
