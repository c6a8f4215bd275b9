import type { Dispatcher } from 'undici';

/** One request's timings, in nanoseconds from just before it was dispatched. */
export interface Timing {
  readonly status: number;
  /** Until the first body chunk arrived (a stream's first event). */
  readonly firstByteNs: number;
  /** Until the whole response had arrived. */
  readonly totalNs: number;
  readonly bytes: number;
  /** The value of the response header named by {@link TimedRequest.recordHeader}, when there was one. */
  readonly recordedHeader?: string;
}

/** A request to time. */
export interface TimedRequest {
  readonly method: Dispatcher.HttpMethod;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | null;
  /** A response header (lower case) to return with the timing, e.g. to check how the answer was produced. */
  readonly recordHeader?: string;
}

/**
 * Sends one request on a dispatcher and times it with a raw dispatch handler, so that no stream or promise
 * machinery of the measuring side is counted in the measured time.
 */
export function timedRequest(dispatcher: Dispatcher, request: TimedRequest): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    let status = 0;
    let firstByte = 0n;
    let bytes = 0;
    let recordedHeader: string | undefined;
    dispatcher.dispatch(
      { method: request.method, path: request.path, headers: request.headers, body: request.body },
      {
        // undici tells the handler APIs apart by this method, so it must exist even when there is nothing to do.
        onRequestStart() {
          // Timing starts before dispatch.
        },
        onResponseStart(_controller, statusCode, headers) {
          status = statusCode;
          if (request.recordHeader !== undefined) {
            const value = headers[request.recordHeader];
            recordedHeader = Array.isArray(value) ? value.join(', ') : value;
          }
        },
        onResponseData(_controller, chunk: Buffer) {
          if (firstByte === 0n) firstByte = process.hrtime.bigint();
          bytes += chunk.length;
        },
        onResponseEnd() {
          const ended = process.hrtime.bigint();
          const total = Number(ended - started);
          resolve({
            status,
            firstByteNs: firstByte === 0n ? total : Number(firstByte - started),
            totalNs: total,
            bytes,
            ...(recordedHeader !== undefined && { recordedHeader }),
          });
        },
        onResponseError(_controller, error) {
          reject(error);
        },
      },
    );
  });
}
