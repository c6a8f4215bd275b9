import type { Dispatcher } from 'undici';

import type { ExchangeView } from '../exchange-record.js';
import { ForwardingHandler } from './tap.js';
import type { ExchangeHandler, ResponseHeaders, ResponseTap } from './tap.js';

/**
 * Keeps what request events need of every answer — its headers and its first `maxBodyBytes` body bytes — and
 * hands them to the exchange when the answer ends. It sits innermost, next to the client relay, so an event
 * shows the answer as the client received it (a key masked, a usage chunk the proxy asked for removed).
 */
export function eventCaptureTap(maxBodyBytes: number): ResponseTap {
  return {
    name: 'event-capture',
    wrap(next: ExchangeHandler, exchange: ExchangeView): ExchangeHandler {
      return new EventCapture(next, exchange, maxBodyBytes);
    },
  };
}

class EventCapture extends ForwardingHandler {
  private headers: ResponseHeaders = {};
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private size = 0;
  private noted = false;

  constructor(
    next: ExchangeHandler,
    private readonly exchange: ExchangeView,
    private readonly maxBodyBytes: number,
  ) {
    super(next);
  }

  override onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: ResponseHeaders,
    statusMessage?: string,
  ): void {
    // The object belongs to the chain (see ResponseHeaders): keep a copy.
    this.headers = { ...headers };
    this.next.onResponseStart(controller, statusCode, headers, statusMessage);
  }

  override onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.size += chunk.length;
    const room = this.maxBodyBytes - this.kept;
    if (room > 0) {
      // A slice of a large chunk would keep all of it alive until the event is built: copy the part kept.
      const part = chunk.length <= room ? chunk : Buffer.from(chunk.subarray(0, room));
      this.chunks.push(part);
      this.kept += part.length;
    }
    this.next.onResponseData(controller, chunk);
  }

  override onResponseEnd(controller: Dispatcher.DispatchController, trailers: ResponseHeaders): void {
    this.note();
    this.next.onResponseEnd(controller, trailers);
  }

  override onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.note();
    this.next.onResponseError(controller, error);
  }

  private note(): void {
    if (this.noted) return;
    this.noted = true;
    const body =
      this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.kept);
    this.exchange.noteResponse({ headers: this.headers, body, size: this.size });
  }
}
