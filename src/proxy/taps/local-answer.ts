import type { Dispatcher } from 'undici';

import type { AnswerSource, ExchangeHandler, ResponseHeaders } from './tap.js';

/** An answer the proxy produces itself: an error, a preflight, a cache hit. */
export interface LocalAnswer {
  readonly status: number;
  readonly headers: ResponseHeaders;
  /** The body in the chunks it is relayed in (a cached stream keeps its events apart). */
  readonly chunks: readonly Buffer[];
}

const NO_TRAILERS: ResponseHeaders = {};

/**
 * Plays a local answer through an exchange's response chain exactly as an upstream answer arrives: start,
 * headers, each chunk — waiting whenever the client relay pauses for backpressure — and the end. Aborting
 * (the client went away) stops it with an error through the chain, as undici does.
 */
export function playLocalAnswer(handler: ExchangeHandler, answer: LocalAnswer, source: AnswerSource): void {
  const controller = new LocalController(handler, answer);
  handler.onRequestStart(controller, source === 'proxy' ? PROXY_START : { source });
  if (controller.aborted) return;
  handler.onResponseStart(controller, answer.status, answer.headers);
  controller.play();
}

const PROXY_START = { source: 'proxy' } as const;

/** The controller of a local answer: pausing holds the next chunk back until it is resumed. */
class LocalController implements Dispatcher.DispatchController {
  private next = 0;
  private isPaused = false;
  private abortReason: Error | null = null;
  private done = false;

  constructor(
    private readonly handler: ExchangeHandler,
    private readonly answer: LocalAnswer,
  ) {}

  get aborted(): boolean {
    return this.abortReason !== null;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  get reason(): Error | null {
    return this.abortReason;
  }

  abort(reason: Error): void {
    if (this.done || this.abortReason !== null) return;
    this.abortReason = reason;
    this.done = true;
    this.handler.onResponseError(this, reason);
  }

  pause(): void {
    this.isPaused = true;
  }

  resume(): void {
    if (!this.isPaused) return;
    this.isPaused = false;
    this.play();
  }

  /** Relays chunks until paused, aborted or done. */
  play(): void {
    const { chunks } = this.answer;
    while (!this.done && !this.isPaused && this.next < chunks.length) {
      const chunk = chunks[this.next] as Buffer;
      this.next += 1;
      this.handler.onResponseData(this, chunk);
    }
    if (this.done || this.isPaused || this.next < chunks.length) return;
    this.done = true;
    this.handler.onResponseEnd(this, NO_TRAILERS);
  }
}
