import type { IncomingMessage } from 'node:http';

import { AppError, ERRORS } from '../core/index.js';
import type { BodyRateGuard, Unwatch, WatchedBody } from './body-rate-guard.js';

/** Receives a body read by {@link readBody}: an error (413, or the client's stream failing) or the bytes. */
export type BodyCallback = (error: Error | undefined, body: Buffer | undefined) => void;

/**
 * Reads a request body into memory, refusing (413) before reading when Content-Length is over the limit and
 * while reading when the body grows past it, and (408) when it arrives slower than the guard's minimum rate;
 * then the rest is not read (the answer closes the connection). Callback-based: this runs on every JSON
 * request, and promises cost measurable time there.
 */
export function readBody(
  req: IncomingMessage,
  limit: number,
  done: BodyCallback,
  guard?: BodyRateGuard,
): void {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    done(tooLarge(limit), undefined);
    return;
  }
  new BodyReader(req, limit, done).start(guard);
}

class BodyReader implements WatchedBody {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private settled = false;
  private unwatch: Unwatch | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly limit: number,
    private readonly done: BodyCallback,
  ) {}

  start(guard: BodyRateGuard | undefined): void {
    // `on` rather than `once`: each fires at most once for a request, `settled` guards the rest, and `once`
    // would allocate a wrapper per listener on every request.
    this.req.on('data', this.onData);
    this.req.on('end', this.onEnd);
    this.req.on('error', this.onError);
    // A body already complete (most JSON bodies come with their headers) needs no watch.
    if (guard !== undefined && !this.req.complete) this.unwatch = guard.watch(this);
  }

  received(): number {
    return this.size;
  }

  waitingForClient(): boolean {
    return true;
  }

  tooSlow(): void {
    this.unwatch = undefined;
    this.stop();
    this.req.pause();
    this.settle(new AppError(ERRORS.REQUEST_BODY_TOO_SLOW, { headers: { connection: 'close' } }), undefined);
  }

  private readonly onData = (chunk: Buffer): void => {
    this.size += chunk.length;
    if (this.size > this.limit) {
      this.stop();
      this.req.pause();
      this.settle(tooLarge(this.limit), undefined);
      return;
    }
    this.chunks.push(chunk);
  };

  private readonly onEnd = (): void => {
    const { chunks } = this;
    this.settle(
      undefined,
      chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, this.size),
    );
  };

  private readonly onError = (error: Error): void => {
    this.stop();
    this.settle(error, undefined);
  };

  private stop(): void {
    this.req.off('data', this.onData);
    this.req.off('end', this.onEnd);
    this.req.off('error', this.onError);
  }

  private settle(error: Error | undefined, body: Buffer | undefined): void {
    if (this.settled) return;
    this.settled = true;
    if (this.unwatch !== undefined) {
      this.unwatch();
      this.unwatch = undefined;
    }
    this.done(error, body);
  }
}

function tooLarge(limit: number): AppError {
  return new AppError(ERRORS.PAYLOAD_TOO_LARGE, {
    message: `request body is larger than MAX_REQUEST_SIZE (${limit} bytes)`,
    headers: { connection: 'close' },
  });
}
