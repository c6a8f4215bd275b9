import type { Dispatcher } from 'undici';

import type { ExchangeView } from '../exchange-record.js';

/**
 * Response headers as they travel the chain (names lower-case). The object belongs to the chain: a tap that
 * keeps headers copies them, because the client relay adds the proxy's own headers to this object.
 */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** Where the answer an exchange relays comes from. */
export type AnswerSource = 'upstream' | 'proxy' | 'cache';

/** What a tap learns when an exchange starts. */
export interface ExchangeStart {
  readonly source: AnswerSource;
}

/**
 * The response side of one exchange, as undici's dispatch handler with every callback present. The chain is
 * `upstream link → taps… → client relay`; each link forwards to the next and may observe or transform.
 *
 * - `onRequestStart` is called once, when the request leaves for the upstream or a local answer starts; a
 *   request aborted before it left the proxy skips it and gets only `onResponseError`.
 * - After it: `onResponseStart` once (headers already without hop-by-hop fields), `onResponseData` per chunk,
 *   then exactly one of `onResponseEnd` or `onResponseError` (also when the client went away).
 * - Backpressure: the client relay calls `controller.pause()` / `resume()`; a tap passes the controller on.
 */
export interface ExchangeHandler {
  onRequestStart(controller: Dispatcher.DispatchController, start: ExchangeStart): void;
  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: ResponseHeaders,
    statusMessage?: string,
  ): void;
  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void;
  onResponseEnd(controller: Dispatcher.DispatchController, trailers: ResponseHeaders): void;
  onResponseError(controller: Dispatcher.DispatchController, error: Error): void;
}

/**
 * A response tap: wraps the next handler of an exchange. Built once at start; `wrap` runs per exchange and
 * may return `next` itself when it has nothing to do for this one (then it costs nothing per chunk).
 */
export interface ResponseTap {
  readonly name: string;
  wrap(next: ExchangeHandler, exchange: ExchangeView): ExchangeHandler;
}

/**
 * A handler that passes everything to the next one: extend it and override what a tap needs. The default
 * methods keep the chain intact, so a tap cannot forget to forward the end or the error of an exchange.
 */
export class ForwardingHandler implements ExchangeHandler {
  constructor(protected readonly next: ExchangeHandler) {}

  onRequestStart(controller: Dispatcher.DispatchController, start: ExchangeStart): void {
    this.next.onRequestStart(controller, start);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: ResponseHeaders,
    statusMessage?: string,
  ): void {
    this.next.onResponseStart(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.next.onResponseData(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: ResponseHeaders): void {
    this.next.onResponseEnd(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.next.onResponseError(controller, error);
  }
}

/** Wraps the client relay in the taps, the first tap outermost. */
export function composeTaps(
  taps: readonly ResponseTap[],
  relay: ExchangeHandler,
  exchange: ExchangeView,
): ExchangeHandler {
  let handler = relay;
  for (let at = taps.length - 1; at >= 0; at -= 1)
    handler = (taps[at] as ResponseTap).wrap(handler, exchange);
  return handler;
}
