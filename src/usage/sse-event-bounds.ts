const LF = 0x0a;
const CR = 0x0d;
const BLANK_LINE = Buffer.from('\n\n');

/**
 * Finds where the events of a server-sent event stream end, in the raw bytes and across chunks, so that a
 * stream can be passed on event by event — and one event left out — without being decoded. It only frames:
 * what an event says is read by the one SSE decoder (core/sse-decoder.ts) once an event is known to matter.
 *
 * An event ends with a blank line (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation),
 * where a line ends in CRLF, LF or CR. A blank line ended by a CR at the end of a chunk is only known to be
 * complete with the next byte (it may be the CR of a CRLF): its end is reported with that byte.
 */
export class SseEventBounds {
  /** The current line has bytes (the next line end is not a blank line). */
  private inLine = false;
  /** The last byte was a CR: an LF right after it belongs to the same line end. */
  private afterCr = false;
  /** The last byte was a CR that ended a blank line: the event ends after it, or after an LF that follows. */
  private blankCr = false;

  /**
   * Appends to `ends` the offset just after every event that ends in `chunk` (ascending; an offset of 0 ends an
   * event whose last byte came in an earlier chunk).
   */
  push(chunk: Buffer, ends: number[]): void {
    if (!this.afterCr && chunk.indexOf(CR) === -1) {
      this.pushLf(chunk, ends);
      return;
    }
    for (let at = 0; at < chunk.length; at += 1) this.byte(chunk[at] as number, at, ends);
  }

  /**
   * Starts afresh at an event's end: the stream ended (a blank line ended by a CR needs no next byte any more),
   * or the caller saw a chunk end with a blank line ({@link endsWithBlankLine}).
   */
  reset(): void {
    this.blankCr = false;
    this.afterCr = false;
    this.inLine = false;
  }

  /** The common case — LF line ends only, as OpenAI and Anthropic send — found by native searches. */
  private pushLf(chunk: Buffer, ends: number[]): void {
    if (chunk.length === 0) return;
    if (!this.inLine && chunk[0] === LF) ends.push(1);
    for (let at = chunk.indexOf(BLANK_LINE); at !== -1; at = chunk.indexOf(BLANK_LINE, at + 1))
      ends.push(at + 2);
    this.inLine = chunk[chunk.length - 1] !== LF;
  }

  private byte(byte: number, at: number, ends: number[]): void {
    if (this.blankCr) {
      this.blankCr = false;
      if (byte === LF) {
        this.afterCr = false;
        ends.push(at + 1);
        return;
      }
      ends.push(at);
    }
    if (byte === LF) {
      if (this.afterCr) {
        this.afterCr = false;
        return;
      }
      if (!this.inLine) ends.push(at + 1);
      this.inLine = false;
    } else if (byte === CR) {
      this.afterCr = true;
      if (!this.inLine) this.blankCr = true;
      this.inLine = false;
    } else {
      this.afterCr = false;
      this.inLine = true;
    }
  }
}

/**
 * Whether a chunk ends with a blank line in LF or CRLF form — an event end whatever came before it — as nearly
 * every chunk of the providers' streams does: checked in a few byte reads, without a search.
 */
export function endsWithBlankLine(chunk: Buffer): boolean {
  const last = chunk.length - 1;
  if (chunk[last] !== LF) return false;
  if (chunk[last - 1] === LF) return true;
  return chunk[last - 1] === CR && chunk[last - 2] === LF && chunk[last - 3] === CR;
}
