import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';

import type { Dispatcher } from 'undici';

import {
  releaseTrials,
  settleAnswered,
  settleConnectFailed,
  settleConnected,
  settleUnanswered,
} from '../circuit-settlement.js';
import { clientResponseHeaders } from '../forwarded-headers.js';
import type { ProxyExchange } from '../proxy-exchange.js';
import type { Admitted } from '../request-state.js';
import { isConnectFailure } from '../upstream-errors.js';
import type { ExchangeHandler, ExchangeStart } from './tap.js';

/** The reason handed to the upstream request when the client goes away. */
export const CLIENT_GONE = new Error('client disconnected');

const UPSTREAM_START: ExchangeStart = { source: 'upstream' };

/**
 * The outermost link of an upstream exchange: the handler undici dispatches to. It settles what the request
 * was admitted with, strips hop-by-hop headers, and hands everything on to the taps.
 *
 * undici calls `onRequestStart` once a connection to the upstream is established, just before it writes the
 * request on it (client-h1 `writeH1`); every failure before that — refused, DNS, connect timeout, TLS, a
 * request still queued in the pool when its client left — comes as `onResponseError` alone. So from
 * `onRequestStart` on the upstream may have received the request, and may bill it: it counts against the
 * token's quota whatever happens next (reset, invalid HTTP, timeout). Only a request that never left the proxy
 * is given back.
 */
export class UpstreamLink implements Dispatcher.DispatchHandler {
  private responded = false;

  constructor(
    private readonly next: ExchangeHandler,
    private readonly exchange: ProxyExchange,
    private readonly state: Admitted,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    const { exchange, state } = this;
    exchange.controller = controller;
    // The client left while the request was being checked or queued: it never leaves the proxy.
    if (exchange.clientGone) {
      controller.abort(CLIENT_GONE);
      return;
    }
    exchange.reachedUpstream = true;
    settleConnected(state);
    state.admission.commit();
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
    settleAnswered(this.state, statusCode);
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
    if (!exchange.reachedUpstream) {
      state.admission.refund();
      if (!exchange.clientGone && isConnectFailure(error)) settleConnectFailed(state);
      else releaseTrials(state);
    } else if (!this.responded) {
      // A trial whose client left before the answer says nothing about the upstream: let another one try.
      if (exchange.clientGone) {
        if (state.projectTrial) state.projectBreaker.release();
      } else {
        settleUnanswered(state);
      }
    }
    // A failure after the answer began (a stream cut midway) leaves the circuits as the answer set them.
    this.next.onResponseError(controller, error);
    exchange.upstreamSettled();
  }
}
