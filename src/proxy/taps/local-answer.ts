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
const PROXY_START = { source: 'proxy' } as const;

/**
 * Plays a local answer through an exchange's response chain exactly as an upstream answer arrives: start,
 * headers, each chunk — waiting whenever the client relay pauses for backpressure — and the end. Aborting
 * (the client went away) stops it with an error through the chain, as undici does.
 */
export function playLocalAnswer(handler: ExchangeHandler, answer: LocalAnswer, source: AnswerSource): void {
  const player = new AnswerPlayer(handler, answer.chunks, true);
  handler.onRequestStart(player, source === 'proxy' ? PROXY_START : { source });
  if (player.aborted) return;
  handler.onResponseStart(player, answer.status, answer.headers);
  player.play();
}

/**
 * The controller of an answer played into a response chain: the chunks it was given, then any appended while
 * it plays (an answer still arriving for a collapsed request), each held back while the chain is paused, and
 * the end once it is known. Pausing here never slows whoever supplies the chunks.
 */
export class AnswerPlayer implements Dispatcher.DispatchController {
  private next = 0;
  /** Chunks appended after the start, dropped as they are delivered. */
  private readonly arriving: Buffer[] = [];
  private isPaused = false;
  private abortReason: Error | null = null;
  private done = false;

  constructor(
    private readonly handler: ExchangeHandler,
    /** Delivered by index: a stored answer's chunks are shared and never changed. */
    private readonly chunks: readonly Buffer[],
    private ended: boolean,
    private readonly onAbort?: () => void,
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
    if (this.done) return;
    this.abortReason = reason;
    this.done = true;
    this.onAbort?.();
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

  /** Adds a chunk that arrived after the start. */
  append(chunk: Buffer): void {
    if (this.done) return;
    this.arriving.push(chunk);
    this.play();
  }

  /** The answer is complete: it ends once every chunk is delivered. */
  end(): void {
    this.ended = true;
    this.play();
  }

  /** The answer failed after it began: the chain sees the failure, as from undici. */
  fail(error: Error): void {
    if (this.done) return;
    this.done = true;
    this.arriving.length = 0;
    this.handler.onResponseError(this, error);
  }

  /** Relays chunks until paused, aborted or out of chunks, then the end if it has come. */
  play(): void {
    const { chunks, arriving } = this;
    // Each delivery may pause the chain (a full socket) or abort it (the client left): look before every one.
    while (this.deliverable()) {
      if (this.next < chunks.length) {
        const chunk = chunks[this.next] as Buffer;
        this.next += 1;
        this.handler.onResponseData(this, chunk);
      } else if (arriving.length > 0) {
        this.handler.onResponseData(this, arriving.shift() as Buffer);
      } else break;
    }
    if (!this.deliverable() || !this.ended || this.next < chunks.length || arriving.length > 0) return;
    this.done = true;
    this.handler.onResponseEnd(this, NO_TRAILERS);
  }

  private deliverable(): boolean {
    return !this.done && !this.isPaused;
  }
}
